using System.Globalization;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Protocol;

public sealed partial class RunSteps
{
    /// <summary>
    /// Starts a run of the pair, or takes over its unfinished run when that run's coordinator lease has ended (or its
    /// coordinator's process is known dead on this host, or it was released); otherwise the pair is busy (or, for a
    /// trigger, marked to run once more when the active run ends). One active run per pair: set on the pair row by CAS.
    /// </summary>
    public async Task<StartRunResult> StartRunAsync(StartRunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pair = await GetOrCreatePairAsync(request.Pair, cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (pair.ActiveRunId is { } activeId)
            {
                var active = await Ledger.GetRunAsync(pair.PairId, activeId, cancellationToken).ConfigureAwait(false);
                if (active is null && IsBeingCreated(activeId))
                {
                    // Another start set the pair a moment ago and is creating the run row: that run is active.
                    if (await BusyAsync(pair, activeId, request, cancellationToken).ConfigureAwait(false) is { } starting)
                    {
                        return starting;
                    }

                    pair = await ReloadPairAsync(pair.PairId, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (active is null || active.Status != RunStatus.Running)
                {
                    // A crash between setting the pair and creating the run, or a run that ended without releasing.
                    pair = await Ledger.TryUpdatePairAsync(pair with { ActiveRunId = null }, cancellationToken).ConfigureAwait(false)
                        ?? await ReloadPairAsync(pair.PairId, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (TakeoverReason(active) is not { } why)
                {
                    if (await BusyAsync(pair, active.RunId, request, cancellationToken).ConfigureAwait(false) is { } busy)
                    {
                        return busy;
                    }

                    // The active run ended while the pair was being marked: start again on the released pair.
                    pair = await ReloadPairAsync(pair.PairId, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (await TakeOverAsync(active, request.CoordinatorId, why, cancellationToken).ConfigureAwait(false) is { } taken)
                {
                    var stored = StoredOptions.Restore(taken.OptionsJson, request.Options);
                    return new StartRunResult(StartKind.Resumed, taken.RunId, StoredOptions.Differences(stored, request.Options));
                }

                pair = await ReloadPairAsync(pair.PairId, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var runId = request.RunId ?? NewRunId();
            var claimed = await Ledger.TryUpdatePairAsync(pair with { ActiveRunId = runId, Dirty = false }, cancellationToken).ConfigureAwait(false);
            if (claimed is null)
            {
                pair = await ReloadPairAsync(pair.PairId, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await Ledger.CreateRunAsync(NewRun(claimed, runId, request), cancellationToken).ConfigureAwait(false);
            Logs.RunStarted(Log, runId, pair.PairId);
            return new StartRunResult(StartKind.Started, runId);
        }

        throw new InvalidOperationException($"pair {request.Pair.PairId}: could not acquire the pair row (too much contention)");
    }

    /// <summary>
    /// Extends the caller's coordinator lease; says whether it still holds it and whether the run was asked to stop.
    /// </summary>
    public async Task<LeaseResult> RenewCoordinatorLeaseAsync(RunRef run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var row = await LoadRunAsync(run.PairId, run.RunId, cancellationToken).ConfigureAwait(false);
        if (row.Status != RunStatus.Running)
        {
            return new LeaseResult(false, row.CancelRequested, Ended: true);
        }

        var held = true;
        var now = Env.Time.GetUtcNow();
        row = await UpdateRunAsync(
            row,
            r =>
            {
                held = r.Status == RunStatus.Running && r.CoordinatorId == run.CoordinatorId;
                return held ? r with { CoordinatorLeaseExpires = now + Env.Steps.CoordinatorLease, Heartbeat = now } : null;
            },
            cancellationToken).ConfigureAwait(false);
        return new LeaseResult(held, row.CancelRequested, row.Status != RunStatus.Running);
    }

    /// <summary>
    /// Hands the run back (an interrupt): the next start of the pair takes it over at once instead of waiting for the
    /// lease to end. Claims were released by the steps that held them.
    /// </summary>
    public async Task ReleaseRunAsync(RunRef run, string? error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var row = await LoadRunAsync(run.PairId, run.RunId, cancellationToken).ConfigureAwait(false);
        await UpdateRunAsync(
            row,
            r => r.Status != RunStatus.Running || r.CoordinatorId != run.CoordinatorId ? null : r with
            {
                CoordinatorId = null,
                CoordinatorLeaseExpires = null,
                OwnerPid = 0,
                Heartbeat = DateTimeOffset.UnixEpoch,
                Error = error,
            },
            cancellationToken).ConfigureAwait(false);
    }

    private RunRecord NewRun(PairRecord pair, string runId, StartRunRequest request)
    {
        var now = Env.Time.GetUtcNow();
        var changeFeed = IsChangeFeed;
        return new RunRecord
        {
            PairId = pair.PairId,
            RunId = runId,
            Trigger = request.Options.Trigger,
            CoordinatorId = request.CoordinatorId,
            CoordinatorLeaseExpires = now + Env.Steps.CoordinatorLease,
            OwnerHost = Env.Owner.Host,
            OwnerPid = Env.Owner.Pid,
            OwnerStarted = Env.Owner.Started,
            Heartbeat = now,
            CreatedAt = now,
            OptionsJson = StoredOptions.ToJson(request.Options),
            FirstRun = changeFeed && pair.Cursor is null,

            // A change feed continues from the pair's committed cursor (none: a first, full enumeration).
            ObserveContinuation = changeFeed ? pair.Cursor : null,
        };
    }

    /// <summary>
    /// Busy, or marked dirty for a trigger; null when the pair no longer names <paramref name="activeRunId"/> (that run
    /// ended meanwhile and released it), so a trigger that arrives as a run ends is never lost.
    /// </summary>
    private async Task<StartRunResult?> BusyAsync(PairRecord pair, string activeRunId, StartRunRequest request, CancellationToken cancellationToken)
    {
        if (request.MarkDirtyWhenBusy)
        {
            var marked = await UpdatePairAsync(pair.PairId, pair, p => p.ActiveRunId != activeRunId || p.Dirty ? null : p with { Dirty = true }, cancellationToken).ConfigureAwait(false);
            return marked?.ActiveRunId == activeRunId ? new StartRunResult(StartKind.MarkedDirty, activeRunId) : null;
        }

        var active = await Ledger.GetRunAsync(pair.PairId, activeRunId, cancellationToken).ConfigureAwait(false);
        return new StartRunResult(
            StartKind.Busy,
            activeRunId,
            active is null
                ? $"pair busy: run {activeRunId} is starting"
                : string.Create(CultureInfo.InvariantCulture, $"pair busy: run {activeRunId} is coordinated by {active.OwnerHost}:{active.OwnerPid} (lease renewed {active.Heartbeat:O})"));
    }

    /// <summary>Why the active run may be taken over, or null while its coordinator holds it.</summary>
    private string? TakeoverReason(RunRecord active)
    {
        if (active.CoordinatorId is null || active.OwnerPid == 0)
        {
            return "released";
        }

        if (active.OwnerHost == Env.Owner.Host && Env.Liveness.IsAlive(active.OwnerHost, active.OwnerPid, active.OwnerStarted) == false)
        {
            return "its process is gone";
        }

        var now = Env.Time.GetUtcNow();
        var expires = active.CoordinatorLeaseExpires ?? active.Heartbeat + Env.Steps.CoordinatorLease;
        return expires <= now
            ? string.Create(CultureInfo.InvariantCulture, $"its lease ended {(now - expires).TotalSeconds:F0} s ago (no renewal for {(now - active.Heartbeat).TotalSeconds:F0} s)")
            : null;
    }

    private async Task<RunRecord?> TakeOverAsync(RunRecord active, string coordinatorId, string why, CancellationToken cancellationToken)
    {
        var now = Env.Time.GetUtcNow();
        var taken = await Ledger.TryUpdateRunAsync(
            active with
            {
                CoordinatorId = coordinatorId,
                CoordinatorLeaseExpires = now + Env.Steps.CoordinatorLease,
                OwnerHost = Env.Owner.Host,
                OwnerPid = Env.Owner.Pid,
                OwnerStarted = Env.Owner.Started,
                Heartbeat = now,
                Error = null,
            },
            cancellationToken).ConfigureAwait(false);
        if (taken is null)
        {
            return null;
        }

        var previous = $"{active.OwnerHost}:{active.OwnerPid}";
        Logs.RunResumed(Log, taken.RunId, previous, why);
        if (active.OwnerPid != 0 && active.OwnerHost == Env.Owner.Host && Env.Liveness.IsAlive(active.OwnerHost, active.OwnerPid, active.OwnerStarted) == false)
        {
            await ExpireClaimsOfAsync(taken.RunId, LeaseOwners.ProcessPrefix(active.OwnerHost, active.OwnerPid), previous, cancellationToken).ConfigureAwait(false);
        }

        return taken;
    }

    /// <summary>
    /// The fast path of a takeover: a dead process's claims end now instead of when their leases run out. They stay
    /// Claimed with an ended lease, so the next claim counts the death (and sees whether the item made progress).
    /// </summary>
    private async Task ExpireClaimsOfAsync(string runId, string ownerPrefix, string previous, CancellationToken cancellationToken)
    {
        await foreach (var item in Ledger.ListWorkItemsAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            if (item.Status == WorkStatus.Claimed && item.LeaseOwner is { } owner && owner.StartsWith(ownerPrefix, StringComparison.Ordinal)
                && await Ledger.TryUpdateWorkItemAsync(item with { LeaseExpires = DateTimeOffset.UnixEpoch }, cancellationToken).ConfigureAwait(false) is not null)
            {
                Logs.Reclaimed(Log, item.ItemId, previous);
            }
        }
    }

    /// <summary>
    /// Reads the pair; only a pair that is not there yet (a new pair, or tables that do not exist yet) pays for
    /// creating the tables, so an incremental run costs one read here.
    /// </summary>
    private async Task<PairRecord> GetOrCreatePairAsync(PairRecord template, CancellationToken cancellationToken)
    {
        PairRecord? existing;
        try
        {
            existing = await Ledger.GetPairAsync(template.PairId, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.NotFound)
        {
            existing = null;
        }

        if (existing is not null)
        {
            return existing;
        }

        await Ledger.InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await Ledger.GetOrCreatePairAsync(template with { CreatedAt = template.CreatedAt ?? Env.Time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<PairRecord> ReloadPairAsync(string pairId, CancellationToken cancellationToken) =>
        await Ledger.GetPairAsync(pairId, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException($"pair {pairId} disappeared from the ledger");

    private string NewRunId() => RunIds.New(Env.Time.GetUtcNow());

    /// <summary>
    /// Whether the pair's active run id, whose row is missing, may still be on its way: a start writes the pair first
    /// and the run row next, so a missing row is a crash only once the id is older than a coordinator lease.
    /// </summary>
    private bool IsBeingCreated(string runId) =>
        RunIds.TimeOf(runId) is { } created && Env.Time.GetUtcNow() - created < Env.Steps.CoordinatorLease;
}
