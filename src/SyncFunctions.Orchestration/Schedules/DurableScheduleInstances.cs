using System.Runtime.CompilerServices;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace SyncFunctions.Orchestration.Schedules;

/// <summary><see cref="IScheduleInstances"/> on a task hub's <see cref="DurableTaskClient"/>.</summary>
public sealed class DurableScheduleInstances(DurableTaskClient client) : IScheduleInstances
{
    /// <summary>How long <see cref="StopAsync"/> waits for a terminated instance to end.</summary>
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(60);

    public async IAsyncEnumerable<ScheduleInstance> ListActiveAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = new OrchestrationQuery
        {
            InstanceIdPrefix = ScheduleNames.InstancePrefix,
            Statuses = [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending],
            FetchInputsAndOutputs = true,
        };
        await foreach (var metadata in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (Read(metadata) is { } instance)
            {
                yield return instance;
            }
        }
    }

    public async Task<ScheduleInstance?> GetActiveAsync(string pairName, CancellationToken cancellationToken)
    {
        var metadata = await client.GetInstanceAsync(ScheduleNames.InstanceId(pairName), getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        return metadata is { IsRunning: true } or { RuntimeStatus: OrchestrationRuntimeStatus.Pending } ? Read(metadata) : null;
    }

    public async Task StartAsync(string pairName, string cron, CancellationToken cancellationToken)
    {
        var id = ScheduleNames.InstanceId(pairName);
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(ScheduleNames.Orchestrator, new ScheduleInput(pairName, cron), new StartOrchestrationOptions(id), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Another host may have started the same schedule first: that one stays.
            if (await GetActiveAsync(pairName, cancellationToken).ConfigureAwait(false) is not { } other || other.Cron != cron)
            {
                throw;
            }
        }
    }

    public async Task StopAsync(string pairName, CancellationToken cancellationToken)
    {
        var id = ScheduleNames.InstanceId(pairName);
        await client.TerminateInstanceAsync(id, "schedule reconciled", cancellationToken).ConfigureAwait(false);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(StopWait);
        await client.WaitForInstanceCompletionAsync(id, wait.Token).ConfigureAwait(false);
    }

    private static ScheduleInstance? Read(OrchestrationMetadata metadata) =>
        metadata.SerializedInput is { Length: > 0 } && metadata.ReadInputAs<ScheduleInput>() is { } input
            ? new ScheduleInstance(input.PairName, input.Cron)
            : null;
}
