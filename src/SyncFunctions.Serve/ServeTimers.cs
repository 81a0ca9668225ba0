using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using SyncFunctions.Orchestration.Repositories;
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

    private readonly string? _gcSchedule;
    private readonly string? _compactSchedule;

    public ServeTimers(ServeServices services, DurableTaskClient client, PairSubscriptions? subscriptions, ILogger log, string? gcSchedule, string? compactSchedule)
    {
        (_gcSchedule, _compactSchedule) = (gcSchedule, compactSchedule);
        RepositoryMaintenance = new RepositoryMaintenanceRuns(client, services.Repositories(), services.Time);
        _subscriptions = subscriptions;
        _reconciler = new ScheduleReconciler(services.Ledger, new DurableScheduleInstances(client));
        _time = services.Time;
        _log = log;
        Maintenance = new MaintenanceJob(services.Maintenance(log), client);
    }

    /// <summary>The maintenance body the timer and <c>POST /api/maintenance</c> run.</summary>
    public MaintenanceJob Maintenance { get; }

    /// <summary>The snapshot repositories' maintenance orchestrations the timers and <c>/api/maintenance/gc|compact</c> start.</summary>
    public RepositoryMaintenanceRuns RepositoryMaintenance { get; }

    /// <summary>The static jobs: adding one is one line.</summary>
    public TimerJobs Jobs()
    {
        var jobs = new TimerJobs()
            .Add(TimerJobNames.Maintenance, TimerSchedules.Maintenance, ct => Maintenance.RunAsync(ct))
            .Add(TimerJobNames.SchedulesReconcile, TimerSchedules.SchedulesReconcile, ReconcileAsync)
            .Add(TimerJobNames.SubscriptionsRenew, TimerSchedules.SubscriptionsRenew, RenewSubscriptionsAsync);
        if (_gcSchedule is { } gc)
        {
            jobs.Add(TimerJobNames.RepositoryGc, gc, ct => TimerBodies.StartRepositoryMaintenanceAsync(RepositoryMaintenance, RepositoryOperations.Gc, _log, ct));
        }

        if (_compactSchedule is { } compact)
        {
            jobs.Add(TimerJobNames.RepositoryCompact, compact, ct => TimerBodies.StartRepositoryMaintenanceAsync(RepositoryMaintenance, RepositoryOperations.Compact, _log, ct));
        }

        return jobs;
    }

    /// <summary>Renews the subscriptions that expire soon (and creates, recreates or removes what drifted).</summary>
    public Task RenewSubscriptionsAsync(CancellationToken cancellationToken) => TimerBodies.RenewSubscriptionsAsync(_subscriptions, _log, cancellationToken);

    public Task StartScheduler(CancellationToken stop) => new HostScheduler(Jobs(), _time, _log).RunAsync(stop);

    /// <summary>Reconciles every pair's schedule; a failure is logged (the next reconcile repairs it).</summary>
    public Task ReconcileAsync(CancellationToken cancellationToken) => TimerBodies.ReconcileAsync(_reconciler, null, _log, cancellationToken);

    /// <summary>Reconciles one pair's schedule (after it was added or removed).</summary>
    public Task ReconcileAsync(string pairName, CancellationToken cancellationToken) => TimerBodies.ReconcileAsync(_reconciler, pairName, _log, cancellationToken);
}
