using SyncFunctions.Abstractions;
using SyncFunctions.Core.Planning;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Orchestration.Service;

/// <summary>A previewed plan as the service shows it (<c>POST /api/pairs/{name}/plan</c>).</summary>
/// <param name="Id">The plan's id (what <c>POST /api/plans/{id}/apply</c> takes).</param>
/// <param name="Pair">The pair's name.</param>
/// <param name="CreatedTime">When it was made.</param>
/// <param name="ExpiresTime">Until when it can be applied.</param>
/// <param name="Plan">Its counts, first items and fingerprint (what <c>syncfn sync --dry-run</c> prints).</param>
public sealed record PlanView(string Id, string Pair, DateTimeOffset CreatedTime, DateTimeOffset ExpiresTime, PlanPreview Plan);

/// <summary>
/// Preview, then apply: a plan of a named pair is made as a dry run (nothing changes) and kept for a while under an id;
/// applying it starts a run that must plan exactly the same actions (same fingerprint) before any of it executes, and
/// is refused (Conflict) when the pair changed since: its definition, a run of it, or what a new plan holds.
/// </summary>
/// <remarks>
/// A plan is applied at most once (the plan row is marked with its run's id by CAS before the run starts). The check
/// at apply time plans once more, so what is answered 202 is known to match then; the run's own check covers what
/// changes between that and its planning (it then ends Cancelled with the reason, having executed nothing).
/// </remarks>
public sealed class PlanService(ILedger ledger, PairService pairs, IRunStepsProvider steps, RunService runs, TimeProvider time)
{
    /// <summary>Items of each kind a preview lists.</summary>
    public const int MaxListedItems = 100;

    /// <summary>How long a plan stays appliable.</summary>
    public TimeSpan Validity { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Plans the pair named <paramref name="name"/> and stores the plan: Created with it; NotFound; Conflict when the pair
    /// cannot be planned as it is (a missing source, refused credentials: the pair needs fixing); Unavailable otherwise.
    /// </summary>
    public async Task<ServiceResult<PlanView>> PreviewAsync(string name, CancellationToken cancellationToken)
    {
        var found = await pairs.FindAsync(name, cancellationToken).ConfigureAwait(false);
        if (found.Value is not { } definition)
        {
            return new ServiceResult<PlanView>(found.Outcome, null, found.Problem);
        }

        var pairRow = await PairRowAsync(definition.PairId, cancellationToken).ConfigureAwait(false);
        var (plan, failed) = await PlanAsync(definition, cancellationToken).ConfigureAwait(false);
        if (plan is null)
        {
            return new ServiceResult<PlanView>(failed!.Value.Outcome, null, failed.Value.Problem);
        }

        var now = time.GetUtcNow();
        var record = new PlanRecord(
            PlanIds.New(), definition.Name, definition.PairId, definition.ETag, pairRow?.ETag, plan.Fingerprint,
            plan.Actions, plan.Bytes, plan.Deletes, now, now + Validity);
        var stored = await ledger.TryAddPlanAsync(record, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"plan id {record.PlanId} is taken");
        // The counts and the fingerprint cover the whole plan; the answer lists only its first items.
        var listed = plan with { Items = [.. plan.Items.Take(MaxListedItems)], SkippedItems = [.. plan.SkippedItems.Take(MaxListedItems)] };
        return new ServiceResult<PlanView>(ServiceOutcome.Created, new PlanView(stored.PlanId, definition.Name, stored.CreatedAt, stored.ExpiresAt, listed));
    }

    /// <summary>
    /// Starts the run that applies plan <paramref name="planId"/>: Accepted with the run; Invalid for a malformed id;
    /// NotFound for an unknown or expired plan; Conflict when it was applied already or the pair changed since.
    /// </summary>
    public async Task<ServiceResult<RunStarted>> ApplyAsync(string planId, CancellationToken cancellationToken)
    {
        if (!PlanIds.IsWellFormed(planId))
        {
            return ServiceResult<RunStarted>.Invalid("a plan id is 32 lowercase hex digits");
        }

        var plan = await ledger.GetPlanAsync(planId, cancellationToken).ConfigureAwait(false);
        if (plan is null)
        {
            return ServiceResult<RunStarted>.NotFound($"no plan {planId} (plans are kept for {Validity.TotalMinutes:0} minutes)");
        }

        if (plan.ExpiresAt <= time.GetUtcNow())
        {
            return ServiceResult<RunStarted>.NotFound($"plan {planId} expired at {plan.ExpiresAt:O}; preview again");
        }

        if (plan.AppliedRunId is { } applied)
        {
            return ServiceResult<RunStarted>.Conflict($"plan {planId} was applied already by run {applied}", new RunStarted(applied, plan.PairName, "applied", null));
        }

        var definition = await ledger.GetDefinitionAsync(plan.PairName, cancellationToken).ConfigureAwait(false);
        if (definition is null || definition.ETag != plan.DefinitionETag)
        {
            return ServiceResult<RunStarted>.Conflict($"pair '{plan.PairName}' was {(definition is null ? "removed" : "changed")} since plan {planId} was previewed; preview again");
        }

        var pairRow = await PairRowAsync(plan.PairId, cancellationToken).ConfigureAwait(false);
        if (pairRow?.ActiveRunId is { } active)
        {
            return ServiceResult<RunStarted>.Conflict($"pair '{plan.PairName}' has an active run {active}", new RunStarted(active, plan.PairName, "busy", null));
        }

        if (pairRow?.ETag != plan.PairETag)
        {
            return ServiceResult<RunStarted>.Conflict($"pair '{plan.PairName}' ran or was marked for a run since plan {planId} was previewed; preview again");
        }

        var (now, failed) = await PlanAsync(definition, cancellationToken).ConfigureAwait(false);
        if (now is null)
        {
            return new ServiceResult<RunStarted>(failed!.Value.Outcome, null, failed.Value.Problem);
        }

        if (now.Fingerprint != plan.Fingerprint)
        {
            return ServiceResult<RunStarted>.Conflict(
                $"the source or destination of pair '{plan.PairName}' changed since plan {planId} was previewed: a plan now holds {now.Actions} actions " +
                $"({now.Bytes} bytes, {now.Deletes} deletes), the preview held {plan.Actions} ({plan.Bytes} bytes, {plan.Deletes} deletes); preview again");
        }

        // The plan is taken (at most one run applies it) before the run starts, under the id the run will have.
        var runId = RunIds.New(time.GetUtcNow());
        var taken = await ledger.TryUpdatePlanAsync(plan with { AppliedRunId = runId }, cancellationToken).ConfigureAwait(false);
        if (taken is null)
        {
            return ServiceResult<RunStarted>.Conflict($"plan {planId} is being applied by another request");
        }

        var options = PairService.OptionsOf(definition, "plan") with { ExpectedPlan = plan.Fingerprint };
        var started = await runs.StartAsync(definition, options, markDirtyWhenBusy: false, runId, cancellationToken).ConfigureAwait(false);
        if (started.Value?.Kind == "started")
        {
            return started;
        }

        // Another run was in the way (it started meanwhile, or an unfinished one was resumed): the plan stays appliable.
        await ledger.TryUpdatePlanAsync(taken with { AppliedRunId = null }, cancellationToken).ConfigureAwait(false);
        var other = started.Value?.Id;
        return ServiceResult<RunStarted>.Conflict(
            started.Value?.Kind == "resumed"
                ? $"pair '{plan.PairName}' had an unfinished run {other}; it was resumed instead; preview again once it has ended"
                : started.Problem ?? $"pair '{plan.PairName}' has an active run {other}",
            started.Value);
    }

    /// <summary>The plan of the pair now, or how planning failed: a fatal error is the pair's state (Conflict), anything else Unavailable.</summary>
    private async Task<(PlanPreview? Plan, (ServiceOutcome Outcome, string Problem)? Failed)> PlanAsync(PairDefinition definition, CancellationToken cancellationToken)
    {
        var pairSteps = await steps.GetAsync(definition.PairId, cancellationToken).ConfigureAwait(false);
        var pair = new PairRecord(definition.PairId, definition.Source, definition.Destination, CreatedAt: time.GetUtcNow());
        var summary = await pairSteps.PreviewAsync(pair, PairService.OptionsOf(definition, "plan"), cancellationToken).ConfigureAwait(false);
        if (summary.Plan is { } plan && summary.Outcome is RunOutcome.Succeeded or RunOutcome.DeletesHeldBack)
        {
            return (plan, null);
        }

        var outcome = summary.Outcome == RunOutcome.Failed ? ServiceOutcome.Conflict : ServiceOutcome.Unavailable;
        return (null, (outcome, $"pair '{definition.Name}' could not be planned ({summary.Outcome}): {summary.Message ?? "no plan"}"));
    }

    private async Task<PairRecord?> PairRowAsync(string pairId, CancellationToken cancellationToken)
    {
        try
        {
            return await ledger.GetPairAsync(pairId, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            return null; // the tables do not exist yet: the pair has never run
        }
    }
}
