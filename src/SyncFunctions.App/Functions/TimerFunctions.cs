using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using SyncFunctions.App.Composition;
using SyncFunctions.Orchestration.Timers;

namespace SyncFunctions.App.Functions;

/// <summary>
/// The static-schedule timers (six-field cron, UTC), the same jobs, names and schedules as <c>syncfn serve</c>'s
/// scheduler (<see cref="TimerJobNames"/>, <see cref="TimerSchedules"/>): maintenance daily, and the reconcile of the
/// pairs' schedule orchestrations every 5 minutes, the renewal of Graph subscriptions every 30. Both bodies are the host-neutral ones in SyncFunctions.Orchestration.
/// </summary>
public sealed class TimerFunctions(AppHost app, ILogger<TimerFunctions> log)
{
    [Function(TimerJobNames.Maintenance)]
    public async Task MaintenanceAsync([TimerTrigger(TimerSchedules.Maintenance)] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var services = await app.GetAsync(cancellationToken).ConfigureAwait(false);
        await services.Maintenance(client).RunAsync(cancellationToken).ConfigureAwait(false);
    }

    [Function(TimerJobNames.SubscriptionsRenew)]
    public async Task SubscriptionsRenewAsync([TimerTrigger(TimerSchedules.SubscriptionsRenew)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var services = await app.GetAsync(cancellationToken).ConfigureAwait(false);
        await TimerBodies.RenewSubscriptionsAsync(services.Subscriptions(), log, cancellationToken).ConfigureAwait(false);
    }

    [Function(TimerJobNames.SchedulesReconcile)]
    public async Task SchedulesReconcileAsync([TimerTrigger(TimerSchedules.SchedulesReconcile)] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var services = await app.GetAsync(cancellationToken).ConfigureAwait(false);
        await TimerBodies.ReconcileAsync(services.Schedules(client), null, log, cancellationToken).ConfigureAwait(false);
    }
}
