using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SyncFunctions.Abstractions;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Orchestration.Tests.Webhooks;

/// <summary>An in-memory subscription service: subscriptions by id with their source and expiry; tests make it forget or fail.</summary>
internal sealed class FakeChangeSubscriptions(TimeProvider time) : IChangeSubscriptions
{
    private readonly ConcurrentDictionary<string, (string Source, DateTimeOffset ExpiresAt)> _live = new(StringComparer.Ordinal);
    private int _next;

    public ConcurrentQueue<ChangeSubscriptionRequest> Created { get; } = new();

    public ConcurrentQueue<string> Deleted { get; } = new();

    /// <summary>Consulted before each call with the subscription id (or the source on create): a non-null result is thrown.</summary>
    public Func<string, Exception?>? Fault { get; set; }

    public IReadOnlyDictionary<string, (string Source, DateTimeOffset ExpiresAt)> Live => _live;

    public void Forget(string id) => _live.TryRemove(id, out _);

    public string? SubscribeProblem(string source) =>
        source.StartsWith("graph:", StringComparison.Ordinal) ? null : "change notifications need a Microsoft 365 drive source (graph:DRIVE[/PATH])";

    public Task<ChangeSubscription> CreateAsync(ChangeSubscriptionRequest request, CancellationToken cancellationToken)
    {
        ThrowIfFaulted(request.Source);
        Created.Enqueue(request);
        var id = $"00000000-0000-0000-0000-{Interlocked.Increment(ref _next):D12}";
        _live[id] = (request.Source, request.ExpiresAt);
        return Task.FromResult(new ChangeSubscription(id, "/drives/d1/root", request.ExpiresAt));
    }

    public Task<DateTimeOffset?> RenewAsync(string source, string subscriptionId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ThrowIfFaulted(subscriptionId);
        if (!_live.TryGetValue(subscriptionId, out var current) || current.ExpiresAt <= time.GetUtcNow())
        {
            return Task.FromResult<DateTimeOffset?>(null);
        }

        _live[subscriptionId] = (current.Source, expiresAt);
        return Task.FromResult<DateTimeOffset?>(expiresAt);
    }

    public Task<bool> DeleteAsync(string source, string subscriptionId, CancellationToken cancellationToken)
    {
        ThrowIfFaulted(subscriptionId);
        Deleted.Enqueue(subscriptionId);
        return Task.FromResult(_live.TryRemove(subscriptionId, out _));
    }

    private void ThrowIfFaulted(string key)
    {
        if (Fault?.Invoke(key) is { } fault)
        {
            throw fault;
        }
    }
}

/// <summary>Records every start; a test can hold starts at a gate or make them throw.</summary>
internal sealed class RecordingRunStarter : IRunStarter
{
    public ConcurrentQueue<(string Name, string Trigger, bool MarkDirty)> Starts { get; } = new();

    public TaskCompletionSource? Gate { get; set; }

    public Exception? Failure { get; set; }

    public async Task<ServiceResult<RunStarted>> StartAsync(string name, string trigger, bool markDirtyWhenBusy, CancellationToken cancellationToken)
    {
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (Failure is { } failure)
        {
            throw failure;
        }

        Starts.Enqueue((name, trigger, markDirtyWhenBusy));
        return new ServiceResult<RunStarted>(ServiceOutcome.Accepted, new RunStarted("run-" + name, name, "started", null));
    }
}

/// <summary>Endpoints taken as they are written (already canonical in these tests).</summary>
internal sealed class VerbatimEndpoints : IPairEndpoints
{
    public (string Source, string Destination) Resolve(string source, string destination) => (source, destination);
}

/// <summary>A logger keeping every formatted entry.</summary>
internal sealed class TestLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, int EventId, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, eventId.Id, formatter(state, exception)));
}
