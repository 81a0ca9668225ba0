using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;

namespace SyncFunctions.App.Tests.Infrastructure;

/// <summary>
/// A Durable client that keeps the instances it was asked to schedule (Pending until a test moves them) and terminates
/// them on request: what the Functions host's <c>[DurableClient]</c> binding hands the HTTP functions.
/// </summary>
internal sealed class RecordingDurableClient() : DurableTaskClient("recording")
{
    private readonly Dictionary<string, OrchestrationMetadata> _instances = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, OrchestrationMetadata> Instances => _instances;

    public override Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
    {
        var id = options?.InstanceId ?? Guid.NewGuid().ToString("N");
        _instances[id] = new OrchestrationMetadata(orchestratorName.Name, id)
        {
            RuntimeStatus = OrchestrationRuntimeStatus.Pending,
            CreatedAt = DateTimeOffset.UtcNow,
            LastUpdatedAt = DateTimeOffset.UtcNow,
            SerializedInput = JsonDataConverter.Default.Serialize(input),
            DataConverter = JsonDataConverter.Default,
        };
        return Task.FromResult(id);
    }

    /// <summary>Marks an instance Completed with <paramref name="output"/>, as the orchestration ending would.</summary>
    public void Complete(string instanceId, object output)
    {
        var instance = _instances[instanceId];
        _instances[instanceId] = new OrchestrationMetadata(instance.Name, instanceId)
        {
            RuntimeStatus = OrchestrationRuntimeStatus.Completed,
            CreatedAt = instance.CreatedAt,
            LastUpdatedAt = DateTimeOffset.UtcNow,
            SerializedInput = instance.SerializedInput,
            SerializedOutput = JsonDataConverter.Default.Serialize(output),
            DataConverter = JsonDataConverter.Default,
        };
    }

    public override Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        Task.FromResult(_instances.GetValueOrDefault(instanceId));

    public override Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        var instance = _instances[instanceId];
        _instances[instanceId] = new OrchestrationMetadata(instance.Name, instanceId)
        {
            RuntimeStatus = OrchestrationRuntimeStatus.Terminated,
            CreatedAt = instance.CreatedAt,
            LastUpdatedAt = DateTimeOffset.UtcNow,
            SerializedInput = instance.SerializedInput,
        };
        return Task.CompletedTask;
    }

    /// <summary>The purge filters asked for.</summary>
    public List<PurgeInstancesFilter> Purges { get; } = [];

    /// <summary>Purges the ended instances created before the filter's end.</summary>
    public override Task<PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, CancellationToken cancellation = default)
    {
        Purges.Add(filter);
        var purged = _instances.Values.Where(i => i.CreatedAt < filter.CreatedTo && filter.Statuses?.Contains(i.RuntimeStatus) == true).Select(i => i.InstanceId).ToList();
        purged.ForEach(id => _instances.Remove(id));
        return Task.FromResult(new PurgeResult(purged.Count));
    }

    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw new NotSupportedException();

    /// <summary>An ended instance at once; nothing here runs an instance to its end, so waiting for a live one is a test bug.</summary>
    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        _instances[instanceId] is { IsCompleted: true } ended ? Task.FromResult(ended) : throw new InvalidOperationException($"instance {instanceId} is still {_instances[instanceId].RuntimeStatus}");

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    /// <summary>One page of the instances with the filter's id prefix and statuses.</summary>
    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) =>
        Pageable.Create((string? _, CancellationToken _) => Task.FromResult(new Page<OrchestrationMetadata>(
            [.. _instances.Values.Where(i => (filter?.InstanceIdPrefix is not { } prefix || i.InstanceId.StartsWith(prefix, StringComparison.Ordinal))
                && (filter?.Statuses is not { } statuses || statuses.Contains(i.RuntimeStatus)))])));

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
