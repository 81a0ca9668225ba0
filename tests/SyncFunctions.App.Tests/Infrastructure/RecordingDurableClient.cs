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

    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) => throw new NotSupportedException();

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
