using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Orchestration;

/// <summary>Where a run's orchestration is: observing (one activity per unit) or executing (bounded fan-outs).</summary>
public enum RunPhase
{
    Observe,
    Execute,
}

/// <summary>
/// The input of <see cref="RunOrchestrator"/> (and of each of its generations: it continues as new with the next).
/// </summary>
/// <param name="PairId">The pair.</param>
/// <param name="RunId">The run (also the orchestration's instance id).</param>
/// <param name="CoordinatorId">The coordinator lease owner id the run was started with.</param>
/// <param name="Phase">Where this generation starts.</param>
/// <param name="Generation">0 for the first; each continue-as-new adds one (history stays bounded).</param>
/// <param name="Limits">Fan-out bounds; the defaults when null.</param>
/// <param name="Activities">Activities the earlier generations scheduled.</param>
public sealed record RunOrchestrationInput(string PairId, string RunId, string CoordinatorId, RunPhase Phase = RunPhase.Observe, int Generation = 0, RunOrchestrationLimits? Limits = null, long Activities = 0)
{
    public RunRef Run => new(PairId, RunId, CoordinatorId);
}

/// <summary>How much one orchestration generation does before it continues as new, and how many activities fly at once.</summary>
/// <param name="MaxInFlight">Work-item activities scheduled at once.</param>
/// <param name="ActivitiesPerGeneration">Activities after which the orchestration continues as new.</param>
/// <param name="ObserveActionsPerUnit">Planned actions per listing segment (one observe activity).</param>
/// <param name="IdleWaitSeconds">Pause when nothing is claimable yet (leases of dead workers running out).</param>
public sealed record RunOrchestrationLimits(int MaxInFlight = 16, int ActivitiesPerGeneration = 400, long ObserveActionsPerUnit = 2_000, int IdleWaitSeconds = 5)
{
    public static RunOrchestrationLimits Default { get; } = new();
}

/// <summary>What a work-item activity is asked: the item; the worker id is the activity's own (one per execution).</summary>
public sealed record WorkOrder(string PairId, string RunId, string ItemId, bool Alone = false);

/// <summary>The orchestration's custom status: the ledger's progress of the run.</summary>
/// <param name="Phase">observe, execute or finalize.</param>
/// <param name="Files">Actions ended.</param>
/// <param name="TotalFiles">Actions planned so far.</param>
/// <param name="Bytes">Bytes done.</param>
/// <param name="TotalBytes">Bytes planned so far.</param>
/// <param name="Failed">Actions failed.</param>
/// <param name="Generation">The orchestration's generation.</param>
/// <param name="Activities">Activities the run's orchestration scheduled so far, over all its generations.</param>
public sealed record RunStatusView(string Phase, long Files, long TotalFiles, long Bytes, long TotalBytes, long Failed, int Generation, long Activities = 0)
{
    /// <summary>The run started after this one because its pair was marked dirty while it ran.</summary>
    public string? NextRunId { get; init; }
}
