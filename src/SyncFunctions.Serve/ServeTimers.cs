using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using SyncFunctions.Core.Maintenance;
using SyncFunctions.Orchestration.Schedules;
using SyncFunctions.Orchestration.Service;
using SyncFunctions.Orchestration.Timers;

namespace SyncFunctions.Serve;

/// <summary>
/// <c>serve</c>'s timers: the static jobs (<see cref="TimerJobNames"/>) on the <see cref="HostScheduler"/>, and the
/// reconcile of the pairs' schedule orchestrations at start, after a pair is added or removed, and every 5 minutes.
/// </summary>
internal sealed class ServeTimers
{
    private readonly ScheduleReconciler _reconciler;
    private readonly TimeProvider _time;
    private readonly ILogger _log;

    private readonly PairSubscriptions? _subscriptions;

    public ServeTimers(ServeServices services, DurableTaskClient client, PairSubscriptions? subscriptions, ILogger log)
    {
        _subscriptions = subscriptions;
        _reconciler = new ScheduleReconciler(services.Ledger, new DurableScheduleInstances(client));
        _time = services.Time;
        _log = log;
        Maintenance = new MaintenanceJob(new MaintenanceService(services.Ledger, services.Time, log), client);
    }

    /// <summary>The maintenance body the timer and <c>POST /api/maintenance</c> run.</summary>
    public MaintenanceJob Maintenance { get; }

    /// <summary>The static jobs: adding one is one line.</summary>
    public TimerJobs Jobs() => new TimerJobs()
        .Add(TimerJobNames.Maintenance, TimerSchedules.Maintenance, ct => Maintenance.RunAsync(ct))
        .Add(TimerJobNames.SchedulesReconcile, TimerSchedules.SchedulesReconcile, ReconcileAsync)
        .Add(TimerJobNames.SubscriptionsRenew, TimerSchedules.SubscriptionsRenew, RenewSubscriptionsAsync);

    /// <summary>Renews the subscriptions that expire soon (and creates, recreates or removes what drifted); nothing without a subscription service.</summary>
    public async Task RenewSubscriptionsAsync(CancellationToken cancellationToken)
    {
        if (_subscriptions is null)
        {
            return;
        }

        var stats = await _subscriptions.RenewDueAsync(cancellationToken).ConfigureAwait(false);
        if (stats.Renewed + stats.Recreated + stats.Created + stats.Removed + stats.Failed > 0)
        {
            TimerLogs.Renewed(_log, stats.Checked, stats.Renewed, stats.Recreated, stats.Created, stats.Removed, stats.Failed);
        }
    }

    public Task StartScheduler(CancellationToken stop) => new HostScheduler(Jobs(), _time, _log).RunAsync(stop);

    /// <summary>Reconciles every pair's schedule; a failure is logged (the next reconcile repairs it).</summary>
    public Task ReconcileAsync(CancellationToken cancellationToken) => GuardAsync(ct => _reconciler.ReconcileAsync(ct), "every pair", cancellationToken);

    /// <summary>Reconciles one pair's schedule (after it was added or removed).</summary>
    public Task ReconcileAsync(string pairName, CancellationToken cancellationToken) => GuardAsync(ct => _reconciler.ReconcileAsync(pairName, ct), pairName, cancellationToken);

    private async Task GuardAsync(Func<CancellationToken, Task<ReconcileReport>> reconcile, string what, CancellationToken cancellationToken)
    {
        try
        {
            var report = await reconcile(cancellationToken).ConfigureAwait(false);
            if (report.Changed)
            {
                TimerLogs.Reconciled(_log, string.Join(',', report.Started), string.Join(',', report.Restarted), string.Join(',', report.Stopped));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The periodic reconcile repairs what one attempt could not do; a pair's add must not fail for it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            TimerLogs.ReconcileFailed(_log, what, e.GetType().Name, e.Message);
        }
    }
}

internal static partial class TimerLogs
{
    [LoggerMessage(EventId = 3111, Level = LogLevel.Information, Message = "schedules reconciled: started [{Started}], restarted [{Restarted}], stopped [{Stopped}]")]
    public static partial void Reconciled(ILogger logger, string started, string restarted, string stopped);

    [LoggerMessage(EventId = 3112, Level = LogLevel.Warning, Message = "schedule reconcile of {What} failed ({Type}): {Error}; the next reconcile repairs it")]
    public static partial void ReconcileFailed(ILogger logger, string what, string type, string error);

    [LoggerMessage(EventId = 3113, Level = LogLevel.Information, Message = "subscriptions: {Checked} checked, {Renewed} renewed, {Recreated} recreated, {Created} created, {Removed} removed, {Failed} failed")]
    public static partial void Renewed(ILogger logger, int @checked, int renewed, int recreated, int created, int removed, int failed);
}
