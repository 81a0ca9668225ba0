using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Orchestration;

namespace SyncFunctions.App.Functions;

/// <summary>
/// The run orchestration and its activities as Durable functions: each wrapper creates the class-based orchestrator or
/// activity of SyncFunctions.Orchestration (the ones <c>syncfn serve</c> registers) and calls its <c>RunAsync</c>, under
/// the names the orchestrator schedules (<see cref="RunActivityNames"/>). No logic lives here.
/// </summary>
public sealed class RunFunctions(IRunStepsProvider steps)
{
    [Function(RunActivityNames.Orchestrator)]
    public static Task<FinalizeResult?> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new RunOrchestrator().RunAsync(context, context.GetInput<RunOrchestrationInput>()!);
    }

    [Function(RunActivityNames.Observe)]
    public Task<ObserveResult> ObserveAsync([ActivityTrigger] ObserveOrder input, string instanceId) =>
        new ObserveActivity(steps).RunAsync(Context(RunActivityNames.Observe, instanceId), input);

    [Function(RunActivityNames.RenewLease)]
    public Task<LeaseResult> RenewLeaseAsync([ActivityTrigger] RunRef input, string instanceId) =>
        new RenewLeaseActivity(steps).RunAsync(Context(RunActivityNames.RenewLease, instanceId), input);

    [Function(RunActivityNames.CheckCompletion)]
    public Task<CompletionResult> CheckCompletionAsync([ActivityTrigger] RunRef input, string instanceId) =>
        new CheckCompletionActivity(steps).RunAsync(Context(RunActivityNames.CheckCompletion, instanceId), input);

    [Function(RunActivityNames.ExecuteWorkItem)]
    public Task<WorkItemResult> ExecuteWorkItemAsync([ActivityTrigger] WorkOrder input, string instanceId) =>
        new ExecuteWorkItemActivity(steps).RunAsync(Context(RunActivityNames.ExecuteWorkItem, instanceId), input);

    [Function(RunActivityNames.Finalize)]
    public Task<FinalizeResult> FinalizeAsync([ActivityTrigger] RunRef input, string instanceId) =>
        new FinalizeActivity(steps).RunAsync(Context(RunActivityNames.Finalize, instanceId), input);

    [Function(RunActivityNames.FollowUp)]
    public Task<FollowUpResult> FollowUpAsync([ActivityTrigger] FollowUpOrder input, string instanceId, [DurableClient] DurableTaskClient client) =>
        new FollowUpActivity(steps, new DurableRunLauncher(client)).RunAsync(Context(RunActivityNames.FollowUp, instanceId), input);

    [Function(RunActivityNames.Cancel)]
    public Task<FinalizeResult> CancelAsync([ActivityTrigger] RunRef input, string instanceId) =>
        new CancelRunActivity(steps).RunAsync(Context(RunActivityNames.Cancel, instanceId), input);

    [Function(RunActivityNames.Release)]
    public Task<bool> ReleaseAsync([ActivityTrigger] ReleaseOrder input, string instanceId) =>
        new ReleaseRunActivity(steps).RunAsync(Context(RunActivityNames.Release, instanceId), input);

    private static WrapperActivityContext Context(string name, string instanceId) => new(name, instanceId);
}

/// <summary>The activity context a wrapper hands the class (the SDK's generator would generate one like it).</summary>
internal sealed class WrapperActivityContext(TaskName name, string instanceId) : TaskActivityContext
{
    public override TaskName Name { get; } = name;

    public override string InstanceId { get; } = instanceId;
}
