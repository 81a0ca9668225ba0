using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Maintenance;

/// <summary>How maintenance decides what is left over. Each bound errs on keeping.</summary>
public sealed record MaintenanceOptions
{
    /// <summary>
    /// Runs that ended longer ago than this lose their rows (run, work items, actions, staging). Also: a run still
    /// Running whose coordinator lease ended longer ago than this was abandoned; it is ended as Cancelled (its
    /// cursor unmoved, its pair released), and removed one retention period later.
    /// </summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>
    /// A Running run whose coordinator lease ended longer ago than this has no coordinator: its lease is released
    /// so the next start takes it over at once. Far above any lease a live coordinator renews (10 min under serve),
    /// so a slow but live coordinator is never cut off; and the release is a CAS on the row as it was read.
    /// </summary>
    public TimeSpan StaleLeaseAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Previewed plans stay this long after they expired (applying one answers "expired" rather than "no such plan"),
    /// then maintenance removes them.
    /// </summary>
    public TimeSpan PlanGrace { get; init; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Leftovers at destinations (uncommitted blocks, partial files) of a run that ended less than this ago are left
    /// alone: the next run of the pair resumes from them (Azure drops uncommitted blocks itself after 7 days).
    /// </summary>
    public TimeSpan LeftoverAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Plan only: report what would be removed, remove nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Entries of each kind listed in the report (the counts are complete).</summary>
    public int MaxListed { get; init; } = 100;

    /// <summary>Null when the options are usable, else why not.</summary>
    public string? Problem() =>
        Retention < TimeSpan.FromDays(1) ? "the retention period is at least one day"
        : StaleLeaseAge < TimeSpan.FromMinutes(30) ? "the stale-lease age is at least 30 minutes"
        : MaxListed < 0 ? "the listed entries are not negative"
        : LeftoverAge < TimeSpan.Zero ? "the leftover age is not negative"
        : null;
}

/// <summary>A run whose rows maintenance removes.</summary>
public sealed record ExpiredRun(string PairId, string RunId, RunStatus Status, DateTimeOffset? EndedAt, long WorkItems, long Actions);

/// <summary>A Running run whose coordinator is gone: its lease released, or (abandoned) the run ended as Cancelled.</summary>
public sealed record StaleRun(string PairId, string RunId, string? CoordinatorId, DateTimeOffset LeaseEnded, bool Abandoned);

/// <summary>Totals of a maintenance pass: what would be removed (dry run) or what was.</summary>
public sealed record MaintenanceCounts(long Runs, long WorkItems, long Actions, long StagingAreas, long ReleasedLeases, long AbandonedRuns)
{
    /// <summary>Previewed plans that expired over <see cref="MaintenanceOptions.PlanGrace"/> ago.</summary>
    public long ExpiredPlans { get; init; }

    /// <summary>Blocks staged at Blob destinations by ended or abandoned runs and never committed.</summary>
    public LeftoverTotals UncommittedBlocks { get; init; } = LeftoverTotals.None;

    /// <summary>Partial files left at local destinations by ended or abandoned runs (count = files).</summary>
    public LeftoverTotals PartialFiles { get; init; } = LeftoverTotals.None;
}

/// <summary>What maintenance found (and, unless a dry run, removed); lists capped at <see cref="MaintenanceOptions.MaxListed"/>.</summary>
/// <param name="DryRun">Nothing was removed.</param>
/// <param name="At">When the plan was made.</param>
/// <param name="RetentionDays">The retention period.</param>
/// <param name="Counts">The totals.</param>
/// <param name="Runs">Runs removed (or to remove).</param>
/// <param name="StagingAreas">Staging areas of no running run, dropped (or to drop).</param>
/// <param name="StaleRuns">Running runs without a coordinator.</param>
/// <param name="Skipped">What changed between plan and execution and was left alone.</param>
public sealed record MaintenanceReport(
    bool DryRun,
    DateTimeOffset At,
    double RetentionDays,
    MaintenanceCounts Counts,
    IReadOnlyList<ExpiredRun> Runs,
    IReadOnlyList<string> StagingAreas,
    IReadOnlyList<StaleRun> StaleRuns,
    IReadOnlyList<string> Skipped)
{
    /// <summary>Orchestration instances of ended runs a Durable host purged from its task hub after the pass.</summary>
    public int? PurgedInstances { get; init; }

    /// <summary>Leftovers at the destinations (uncommitted blocks, partial files) of ended and abandoned runs: removed, or kept and why.</summary>
    public IReadOnlyList<DestinationLeftover> DestinationLeftovers { get; init; } = [];

    /// <summary>Why the destinations were not checked for leftovers; null when they were.</summary>
    public string? DestinationsNotChecked { get; init; }
}

/// <summary>
/// The plan of one maintenance pass (restic's plan-then-execute): the rows as they were read, so execution changes
/// only rows that are still what the plan saw (If-Match), and a dry run is the plan itself.
/// </summary>
public sealed record MaintenancePlan(
    DateTimeOffset At,
    MaintenanceOptions Options,
    IReadOnlyList<(RunRecord Run, ExpiredRun View)> Expired,
    IReadOnlyList<string> OrphanStagingAreas,
    IReadOnlyList<(RunRecord Run, StaleRun View)> Stale)
{
    /// <summary>Previewed plans past their grace period (their ids).</summary>
    public IReadOnlyList<string> ExpiredPlans { get; init; } = [];

    /// <summary>Leftovers found at the destinations of ended and abandoned runs; those with no <see cref="DestinationLeftover.Kept"/> reason are removed.</summary>
    public IReadOnlyList<DestinationLeftover> Leftovers { get; init; } = [];

    /// <summary>Notes on pairs whose destinations were not checked (an active run, a store that did not open).</summary>
    public IReadOnlyList<string> DestinationNotes { get; init; } = [];

    /// <summary>Why no destination was checked; null when they were.</summary>
    public string? DestinationsNotChecked { get; init; }
}
