using Microsoft.Extensions.Logging;
using SyncFunctions.Orchestration.Repositories;
using SyncFunctions.Orchestration.Schedules;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Orchestration.Timers;

/// <summary>The bodies of the schedule-reconcile and subscription-renewal jobs, as every host runs them (serve's scheduler, the app's timers).</summary>
public static partial class TimerBodies
{
    /// <summary>
    /// Reconciles the schedule orchestration of <paramref name="pairName"/> (every pair's when null). A failure is logged,
    /// not thrown: the periodic reconcile repairs what one attempt could not do, and a pair's add must not fail for it.
    /// </summary>
    public static async Task ReconcileAsync(ScheduleReconciler reconciler, string? pairName, ILogger log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reconciler);
        try
        {
            var report = pairName is null
                ? await reconciler.ReconcileAsync(cancellationToken).ConfigureAwait(false)
                : await reconciler.ReconcileAsync(pairName, cancellationToken).ConfigureAwait(false);
            if (report.Changed)
            {
                TimerLogs.Reconciled(log, string.Join(',', report.Started), string.Join(',', report.Restarted), string.Join(',', report.Stopped));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Logged; the next reconcile repairs it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            TimerLogs.ReconcileFailed(log, pairName ?? "every pair", e.GetType().Name, e.Message);
        }
    }

    /// <summary>Renews the subscriptions that expire soon (and creates, recreates or removes what drifted); nothing when <paramref name="subscriptions"/> is null.</summary>
    public static async Task RenewSubscriptionsAsync(PairSubscriptions? subscriptions, ILogger log, CancellationToken cancellationToken)
    {
        if (subscriptions is null)
        {
            return;
        }

        var stats = await subscriptions.RenewDueAsync(cancellationToken).ConfigureAwait(false);
        if (stats.Renewed + stats.Recreated + stats.Created + stats.Removed + stats.Failed > 0)
        {
            TimerLogs.Renewed(log, stats.Checked, stats.Renewed, stats.Recreated, stats.Created, stats.Removed, stats.Failed);
        }
    }
}

public static partial class TimerBodies
{
    /// <summary>
    /// Starts a maintenance orchestration of every snapshot repository (not waiting for it); one still running from the
    /// last occurrence is left alone (logged).
    /// </summary>
    public static async Task StartRepositoryMaintenanceAsync(RepositoryMaintenanceRuns runs, string operation, ILogger log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var started = await runs.StartAsync(operation, new RepositoryMaintenanceRequest(), cancellationToken).ConfigureAwait(false);
        if (started.Succeeded)
        {
            TimerLogs.MaintenanceStarted(log, operation, started.Value!.Id);
        }
        else
        {
            TimerLogs.MaintenanceNotStarted(log, operation, started.Problem ?? started.Outcome.ToString());
        }
    }
}

/// <summary>Logs of the timer jobs' bodies.</summary>
public static partial class TimerLogs
{
    [LoggerMessage(EventId = 3111, Level = LogLevel.Information, Message = "schedules reconciled: started [{Started}], restarted [{Restarted}], stopped [{Stopped}]")]
    public static partial void Reconciled(ILogger logger, string started, string restarted, string stopped);

    [LoggerMessage(EventId = 3112, Level = LogLevel.Warning, Message = "schedule reconcile of {What} failed ({Type}): {Error}; the next reconcile repairs it")]
    public static partial void ReconcileFailed(ILogger logger, string what, string type, string error);

    [LoggerMessage(EventId = 3113, Level = LogLevel.Information, Message = "subscriptions: {Checked} checked, {Renewed} renewed, {Recreated} recreated, {Created} created, {Removed} removed, {Failed} failed")]
    public static partial void Renewed(ILogger logger, int @checked, int renewed, int recreated, int created, int removed, int failed);

    [LoggerMessage(EventId = 3114, Level = LogLevel.Information, Message = "repository {Operation} started: {Id}")]
    public static partial void MaintenanceStarted(ILogger logger, string operation, string id);

    [LoggerMessage(EventId = 3115, Level = LogLevel.Information, Message = "repository {Operation} not started: {Why}")]
    public static partial void MaintenanceNotStarted(ILogger logger, string operation, string why);
}
