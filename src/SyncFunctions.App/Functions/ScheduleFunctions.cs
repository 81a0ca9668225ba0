using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using SyncFunctions.App.Composition;
using SyncFunctions.Orchestration.Schedules;

namespace SyncFunctions.App.Functions;

/// <summary>
/// A pair's reconciliation schedule as a Durable function pair: the eternal <c>SyncSchedule</c> orchestration (one per
/// scheduled pair, instance <c>schedule-NAME</c>) and its activity, which starts the pair or marks it dirty. Wrappers
/// of the classes <c>syncfn serve</c> registers.
/// </summary>
public sealed class ScheduleFunctions(AppHost app)
{
    [Function(ScheduleNames.Orchestrator)]
    public static Task<string?> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new ScheduleOrchestrator().RunAsync(context, context.GetInput<ScheduleInput>()!);
    }

    [Function(ScheduleNames.Fire)]
    public async Task<ScheduleFired> FireAsync([ActivityTrigger] ScheduleFire input, string instanceId, [DurableClient] DurableTaskClient client)
    {
        var services = await app.GetAsync(CancellationToken.None).ConfigureAwait(false);
        return await new ScheduleFireActivity(services.ScheduleTrigger(client)).RunAsync(new WrapperActivityContext(ScheduleNames.Fire, instanceId), input).ConfigureAwait(false);
    }
}
