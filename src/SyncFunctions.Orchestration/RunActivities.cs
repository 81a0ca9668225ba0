using Microsoft.DurableTask;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Orchestration;

/// <summary>The activity names the orchestrator schedules (the Functions app's wrappers carry the same names).</summary>
public static class RunActivityNames
{
    public const string Observe = "SyncObserve";
    public const string RenewLease = "SyncRenewLease";
    public const string CheckCompletion = "SyncCheckCompletion";
    public const string ExecuteWorkItem = "SyncExecuteWorkItem";
    public const string Finalize = "SyncFinalize";
    public const string Cancel = "SyncCancel";
    public const string Release = "SyncRelease";
    public const string FollowUp = "SyncFollowUp";
    public const string Orchestrator = "SyncRun";
}

/// <summary>Input of <see cref="ObserveActivity"/>: the run and the bound of one listing segment.</summary>
public sealed record ObserveOrder(RunRef Run, long MaxActions);

/// <summary>One unit of observation (<see cref="RunSteps.ObserveAsync"/>); the items it wrote are found by the fan-in.</summary>
public sealed class ObserveActivity(IRunStepsProvider steps) : TaskActivity<ObserveOrder, ObserveResult>
{
    public override async Task<ObserveResult> RunAsync(TaskActivityContext context, ObserveOrder input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var s = await steps.GetAsync(input.Run.PairId, CancellationToken.None).ConfigureAwait(false);

        // The tickets stay out of the result: the orchestration reads claimable items from the fan-in, and its history stays small.
        return await s.ObserveAsync(input.Run, input.MaxActions, null, CancellationToken.None).ConfigureAwait(false) with { NewItems = [] };
    }
}

/// <summary>Renews the run's coordinator lease (<see cref="RunSteps.RenewCoordinatorLeaseAsync"/>).</summary>
public sealed class RenewLeaseActivity(IRunStepsProvider steps) : TaskActivity<RunRef, LeaseResult>
{
    public override async Task<LeaseResult> RunAsync(TaskActivityContext context, RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var s = await steps.GetAsync(input.PairId, CancellationToken.None).ConfigureAwait(false);
        return await s.RenewCoordinatorLeaseAsync(input, CancellationToken.None).ConfigureAwait(false);
    }
}

/// <summary>The fan-in (<see cref="RunSteps.CheckCompletionAsync"/>).</summary>
public sealed class CheckCompletionActivity(IRunStepsProvider steps) : TaskActivity<RunRef, CompletionResult>
{
    public override async Task<CompletionResult> RunAsync(TaskActivityContext context, RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var s = await steps.GetAsync(input.PairId, CancellationToken.None).ConfigureAwait(false);
        return await s.CheckCompletionAsync(input, CancellationToken.None).ConfigureAwait(false);
    }
}

/// <summary>
/// One work item, chunk range or large-file commit (<see cref="RunSteps.ExecuteWorkItemAsync"/>) under a worker id of
/// its own: a duplicate delivery of the same activity is another worker, and the item's lease decides between them.
/// </summary>
public sealed class ExecuteWorkItemActivity(IRunStepsProvider steps) : TaskActivity<WorkOrder, WorkItemResult>
{
    public override async Task<WorkItemResult> RunAsync(TaskActivityContext context, WorkOrder input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var s = await steps.GetAsync(input.PairId, CancellationToken.None).ConfigureAwait(false);
        var work = new WorkRef(input.PairId, input.RunId, input.ItemId, steps.NewWorkerId(), input.Alone);
        return await s.ExecuteWorkItemAsync(work, CancellationToken.None).ConfigureAwait(false);
    }
}

/// <summary>Ends a complete run, cursor last (<see cref="RunSteps.FinalizeAsync"/>).</summary>
public sealed class FinalizeActivity(IRunStepsProvider steps) : TaskActivity<RunRef, FinalizeResult>
{
    public override async Task<FinalizeResult> RunAsync(TaskActivityContext context, RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var s = await steps.GetAsync(input.PairId, CancellationToken.None).ConfigureAwait(false);
        return await s.FinalizeAsync(input, CancellationToken.None).ConfigureAwait(false);
    }
}

/// <summary>Ends the run as Cancelled, its cursor unmoved (<see cref="RunSteps.CancelRunAsync"/>).</summary>
public sealed class CancelRunActivity(IRunStepsProvider steps) : TaskActivity<RunRef, FinalizeResult>
{
    public override async Task<FinalizeResult> RunAsync(TaskActivityContext context, RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var s = await steps.GetAsync(input.PairId, CancellationToken.None).ConfigureAwait(false);
        return await s.CancelRunAsync(input, CancellationToken.None).ConfigureAwait(false);
    }
}

/// <summary>Input of <see cref="ReleaseRunActivity"/>: the run and why its orchestration gave up.</summary>
public sealed record ReleaseOrder(RunRef Run, string Error);

/// <summary>
/// Hands a run whose orchestration failed back (<see cref="RunSteps.ReleaseRunAsync"/>): it stays open with its plan,
/// staged blocks and the reason, the pair is not blocked for a coordinator lease, and the next start resumes it at once.
/// </summary>
public sealed class ReleaseRunActivity(IRunStepsProvider steps) : TaskActivity<ReleaseOrder, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, ReleaseOrder input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var s = await steps.GetAsync(input.Run.PairId, CancellationToken.None).ConfigureAwait(false);
        await s.ReleaseRunAsync(input.Run, input.Error, CancellationToken.None).ConfigureAwait(false);
        return true;
    }
}

/// <summary>Registers the run orchestration and its activities under their names (the same in every host).</summary>
public static class SyncTaskRegistry
{
    public static DurableTaskRegistry AddSyncTasks(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddOrchestrator<RunOrchestrator>(RunActivityNames.Orchestrator);
        registry.AddActivity<ObserveActivity>(RunActivityNames.Observe);
        registry.AddActivity<RenewLeaseActivity>(RunActivityNames.RenewLease);
        registry.AddActivity<CheckCompletionActivity>(RunActivityNames.CheckCompletion);
        registry.AddActivity<ExecuteWorkItemActivity>(RunActivityNames.ExecuteWorkItem);
        registry.AddActivity<FinalizeActivity>(RunActivityNames.Finalize);
        registry.AddActivity<CancelRunActivity>(RunActivityNames.Cancel);
        registry.AddActivity<ReleaseRunActivity>(RunActivityNames.Release);
        registry.AddActivity<FollowUpActivity>(RunActivityNames.FollowUp);
        return registry;
    }
}
