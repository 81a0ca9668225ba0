using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Maintenance;

/// <summary>
/// Removes what runs leave behind: the rows (run, work items, actions, staging) of runs that ended more than a
/// retention period ago, staging areas no running run owns, coordinator leases of runs whose coordinator is gone,
/// and runs abandoned for longer than the retention period (ended as Cancelled). Plans first, executes second: a dry
/// run is the plan, and execution touches only rows still as planned (CAS), so a live run is never changed.
/// </summary>
/// <remarks>Host-neutral (the CLI, <c>serve</c>'s timer and API, the Functions app's timer). Safe to run in several hosts at once: every change is a CAS or an idempotent delete.</remarks>
public sealed partial class MaintenanceService(ILedger ledger, TimeProvider time, ILogger? log = null)
{
    private readonly ILogger _log = log ?? NullLogger.Instance;

    /// <summary>Plans and, unless <see cref="MaintenanceOptions.DryRun"/>, executes one pass.</summary>
    public async Task<MaintenanceReport> RunAsync(MaintenanceOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var plan = await PlanAsync(options, cancellationToken).ConfigureAwait(false);
        return options.DryRun ? Report(plan, true, null) : await ExecuteAsync(plan, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What a pass would do now; reads only.</summary>
    public async Task<MaintenancePlan> PlanAsync(MaintenanceOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        var now = time.GetUtcNow();

        // Areas first, runs second: a run's row is written before it stages anything, so every area listed here
        // belongs to a run the listing below sees (a run starting in between has an area not listed yet).
        var areas = new List<string>();
        await foreach (var area in ledger.ListStagingAreasAsync(cancellationToken).ConfigureAwait(false))
        {
            areas.Add(area);
        }

        var runs = new List<RunRecord>();
        await foreach (var run in ledger.ListRunsAsync(null, cancellationToken).ConfigureAwait(false))
        {
            runs.Add(run);
        }

        var expired = new List<(RunRecord, ExpiredRun)>();
        var stale = new List<(RunRecord, StaleRun)>();
        foreach (var run in runs.OrderBy(r => r.RunId, StringComparer.Ordinal))
        {
            if (run.Status != RunStatus.Running)
            {
                if ((run.EndedAt ?? run.CreatedAt) < now - options.Retention)
                {
                    var (items, actions) = await CountAsync(run.RunId, cancellationToken).ConfigureAwait(false);
                    expired.Add((run, new ExpiredRun(run.PairId, run.RunId, run.Status, run.EndedAt, items, actions)));
                }

                continue;
            }

            var leaseEnded = run.CoordinatorLeaseExpires ?? run.Heartbeat;
            var lastSign = Latest(leaseEnded, run.Heartbeat, run.CreatedAt);
            if (lastSign < now - options.Retention)
            {
                stale.Add((run, new StaleRun(run.PairId, run.RunId, run.CoordinatorId, lastSign, Abandoned: true)));
            }
            else if (run.CoordinatorId is not null && leaseEnded < now - options.StaleLeaseAge)
            {
                stale.Add((run, new StaleRun(run.PairId, run.RunId, run.CoordinatorId, leaseEnded, Abandoned: false)));
            }
        }

        var live = runs.Where(r => r.Status == RunStatus.Running).Select(r => ledger.StagingAreaOf(r.RunId)).ToHashSet(StringComparer.Ordinal);
        var removedWithRuns = expired.Select(e => ledger.StagingAreaOf(e.Item1.RunId)).ToHashSet(StringComparer.Ordinal);
        var orphans = areas.Where(a => !live.Contains(a) && !removedWithRuns.Contains(a)).Order(StringComparer.Ordinal).ToList();
        var plans = new List<string>();
        await foreach (var previewed in ledger.ListPlansAsync(cancellationToken).ConfigureAwait(false))
        {
            if (previewed.ExpiresAt < now - options.PlanGrace)
            {
                plans.Add(previewed.PlanId);
            }
        }

        var plan = new MaintenancePlan(now, options, expired, orphans, stale) { ExpiredPlans = plans };
        if (Destinations is null)
        {
            return plan with { DestinationsNotChecked = "this host opens no destination stores" };
        }

        var abandoned = stale.Where(s => s.Item2.Abandoned).Select(s => s.Item1).ToList();
        var ended = runs.Where(r => r.Status != RunStatus.Running && (r.EndedAt ?? r.CreatedAt) <= now - options.LeftoverAge);
        var (leftovers, notes) = await PlanLeftoversAsync(ended, abandoned, cancellationToken).ConfigureAwait(false);
        return plan with { Leftovers = leftovers, DestinationNotes = notes };
    }

    /// <summary>Executes <paramref name="plan"/>: only rows still as planned change; the rest is reported as skipped.</summary>
    public async Task<MaintenanceReport> ExecuteAsync(MaintenancePlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var done = new Done();
        foreach (var (run, view) in plan.Expired)
        {
            var removal = await ledger.DeleteRunAsync(run, cancellationToken).ConfigureAwait(false);
            done.WorkItems += removal.WorkItems;
            done.Actions += removal.Actions;
            if (removal.RunRemoved)
            {
                done.Runs.Add(view with { WorkItems = removal.WorkItems, Actions = removal.Actions });
            }
            else
            {
                done.Skipped.Add($"run {run.RunId}: changed since it was read; kept");
            }
        }

        foreach (var area in plan.OrphanStagingAreas)
        {
            if (await ledger.DeleteStagingAreaAsync(area, cancellationToken).ConfigureAwait(false))
            {
                done.Areas.Add(area);
            }
        }

        foreach (var (run, view) in plan.Stale)
        {
            var changed = view.Abandoned
                ? await AbandonAsync(run, plan.At, cancellationToken).ConfigureAwait(false)
                : await ReleaseAsync(run, view, cancellationToken).ConfigureAwait(false);
            if (changed)
            {
                done.Stale.Add(view);
            }
            else
            {
                done.Skipped.Add($"run {run.RunId}: its coordinator renewed or changed it since it was read; kept");
            }
        }

        foreach (var planId in plan.ExpiredPlans)
        {
            if (await ledger.RemovePlanAsync(planId, cancellationToken).ConfigureAwait(false))
            {
                done.Plans++;
            }
        }

        // After the abandoned runs were ended: their pairs are released, and nothing of theirs writes any more.
        done.Leftovers = await RemoveLeftoversAsync(plan.Leftovers, cancellationToken).ConfigureAwait(false);
        var report = Report(plan, false, done);
        MaintenanceLogs.Done(_log, report.Counts.Runs, report.Counts.Actions, report.Counts.StagingAreas, report.Counts.ReleasedLeases, report.Counts.AbandonedRuns, done.Skipped.Count);
        var (blocks, partials) = (report.Counts.UncommittedBlocks, report.Counts.PartialFiles);
        MaintenanceLogs.Leftovers(_log, blocks.Removed, blocks.RemovedBytes, blocks.Left, blocks.LeftBytes, partials.Removed, partials.RemovedBytes, partials.Left);
        return report;
    }

    /// <summary>Clears the coordinator of a run whose lease ended long ago, so the next start takes it over at once.</summary>
    private async Task<bool> ReleaseAsync(RunRecord run, StaleRun view, CancellationToken cancellationToken) =>
        await ledger.TryUpdateRunAsync(
            run with
            {
                CoordinatorId = null,
                CoordinatorLeaseExpires = null,
                OwnerPid = 0,
                Error = string.Create(CultureInfo.InvariantCulture, $"released by maintenance: no coordinator since {view.LeaseEnded:O}"),
            },
            cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>Ends an abandoned run as Cancelled (cursor unmoved), releases its pair and drops its staged changes.</summary>
    private async Task<bool> AbandonAsync(RunRecord run, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ended = await ledger.TryUpdateRunAsync(
            run with
            {
                Status = RunStatus.Cancelled,
                EndedAt = now,
                CoordinatorId = null,
                CoordinatorLeaseExpires = null,
                Error = "abandoned: ended by maintenance (no coordinator for longer than the retention period)",
            },
            cancellationToken).ConfigureAwait(false);
        if (ended is null)
        {
            return false;
        }

        for (var attempt = 0; attempt < 20; attempt++)
        {
            var pair = await ledger.GetPairAsync(run.PairId, cancellationToken).ConfigureAwait(false);
            if (pair is null || pair.ActiveRunId != run.RunId
                || await ledger.TryUpdatePairAsync(pair with { ActiveRunId = null, Dirty = false }, cancellationToken).ConfigureAwait(false) is not null)
            {
                break;
            }
        }

        await ledger.DeleteStagingAreaAsync(ledger.StagingAreaOf(run.RunId), cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<(long Items, long Actions)> CountAsync(string runId, CancellationToken cancellationToken)
    {
        long items = 0, actions = 0;
        await foreach (var item in ledger.ListWorkItemsAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            items++;
            actions += item.ActionCount;
        }

        return (items, actions);
    }

    private static MaintenanceReport Report(MaintenancePlan plan, bool dryRun, Done? done)
    {
        var max = plan.Options.MaxListed;
        IReadOnlyList<ExpiredRun> runs = done?.Runs ?? [.. plan.Expired.Select(e => e.View)];
        IReadOnlyList<string> areas = done?.Areas ?? plan.OrphanStagingAreas;
        IReadOnlyList<StaleRun> stale = done?.Stale ?? [.. plan.Stale.Select(s => s.View)];
        IReadOnlyList<DestinationLeftover> leftovers = done?.Leftovers ?? plan.Leftovers;
        var counts = new MaintenanceCounts(
            runs.Count,
            done?.WorkItems ?? runs.Sum(r => r.WorkItems),
            done?.Actions ?? runs.Sum(r => r.Actions),
            areas.Count,
            stale.Count(s => !s.Abandoned),
            stale.Count(s => s.Abandoned))
        {
            ExpiredPlans = done?.Plans ?? plan.ExpiredPlans.Count,
            UncommittedBlocks = LeftoverTotals.Of(leftovers, LeftoverKind.UncommittedBlocks),
            PartialFiles = LeftoverTotals.Of(leftovers, LeftoverKind.PartialFile),
        };
        return new MaintenanceReport(dryRun, plan.At, plan.Options.Retention.TotalDays, counts, [.. runs.Take(max)], [.. areas.Take(max)], [.. stale.Take(max)], [.. plan.DestinationNotes, .. done?.Skipped ?? []])
        {
            DestinationLeftovers = [.. leftovers.Take(max)],
            DestinationsNotChecked = plan.DestinationsNotChecked,
        };
    }

    private static DateTimeOffset Latest(DateTimeOffset a, DateTimeOffset b, DateTimeOffset c) => new[] { a, b, c }.Max();

    private sealed class Done
    {
        public List<ExpiredRun> Runs { get; } = [];

        public List<string> Areas { get; } = [];

        public List<StaleRun> Stale { get; } = [];

        public List<string> Skipped { get; } = [];

        public long Plans { get; set; }

        public List<DestinationLeftover> Leftovers { get; set; } = [];

        public long WorkItems { get; set; }

        public long Actions { get; set; }
    }
}

internal static partial class MaintenanceLogs
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Maintenance: removed {Runs} runs ({Actions} actions), {Areas} staging areas; released {Leases} stale leases; ended {Abandoned} abandoned runs; {Skipped} left as they changed")]
    public static partial void Done(ILogger logger, long runs, long actions, long areas, long leases, long abandoned, int skipped);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Maintenance at destinations: removed {Blocks} uncommitted blocks ({BlockBytes} bytes), left {BlocksLeft} ({BlockBytesLeft} bytes); removed {Partials} partial files ({PartialBytes} bytes), left {PartialsLeft}")]
    public static partial void Leftovers(ILogger logger, long blocks, long blockBytes, long blocksLeft, long blockBytesLeft, long partials, long partialBytes, long partialsLeft);
}
