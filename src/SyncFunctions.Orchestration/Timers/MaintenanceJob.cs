using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using SyncFunctions.Core.Maintenance;

namespace SyncFunctions.Orchestration.Timers;

/// <summary>
/// The maintenance job of a Durable host: the ledger's maintenance pass, then the orchestration history of the runs it
/// removed purged from the task hub. The same body runs from <c>serve</c>'s timer, its API and the Functions app's timer.
/// </summary>
public sealed class MaintenanceJob(MaintenanceService service, DurableTaskClient? client)
{
    /// <summary>Options of the timer's passes.</summary>
    public MaintenanceOptions Options { get; init; } = new();

    /// <summary>One pass with <see cref="Options"/> (the timer's).</summary>
    public Task<MaintenanceReport> RunAsync(CancellationToken cancellationToken) => RunAsync(Options, cancellationToken);

    /// <summary>One pass with <paramref name="options"/>; a dry run purges nothing either.</summary>
    public async Task<MaintenanceReport> RunAsync(MaintenanceOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var report = await service.RunAsync(options, cancellationToken).ConfigureAwait(false);
        if (!report.DryRun && client is not null)
        {
            // Ended instances created before the retention period: the runs whose rows just went (and older ones).
            // Schedules are never purged here: their instance runs for good, continuing as new.
            var filter = new PurgeInstancesFilter(null, report.At - options.Retention, [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated]);
            var purged = await client.PurgeAllInstancesAsync(filter, cancellationToken).ConfigureAwait(false);
            return report with { PurgedInstances = purged.PurgedInstanceCount };
        }

        return report;
    }
}
