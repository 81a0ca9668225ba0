using System.Collections.Concurrent;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Endpoints;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Retry;

namespace SyncFunctions.Orchestration.Hosting;

/// <summary>
/// The run steps of each pair a process serves, built once per pair from the pair's canonical endpoints (its pair row,
/// or its named definition before its first run) through the host's endpoint registry, every store wrapped once in the
/// retry policy. Host-neutral: the Functions app composes it over its registry.
/// </summary>
/// <remarks>Thread-safe. A pair whose steps failed to build is built again on the next call. Disposing disposes the steps built.</remarks>
/// <param name="ledger">The ledger (already retry-wrapped).</param>
/// <param name="endpoints">The registry that reads canonical endpoints back and builds their stores.</param>
/// <param name="env">Clock, owner identity, logs and step settings of the steps.</param>
/// <param name="policy">The retry policy every store is wrapped in.</param>
/// <param name="parallel">Transfers one step runs at once.</param>
public sealed class EndpointStepsProvider(ILedger ledger, EndpointRegistry endpoints, EngineEnvironment env, RetryPolicy policy, int parallel = 8) : IRunStepsProvider, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<RunSteps>>> _steps = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public async ValueTask<RunSteps> GetAsync(string pairId, CancellationToken cancellationToken)
    {
        var lazy = _steps.GetOrAdd(pairId, id => new Lazy<Task<RunSteps>>(() => BuildAsync(id)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            _steps.TryRemove(new KeyValuePair<string, Lazy<Task<RunSteps>>>(pairId, lazy));
            throw;
        }
    }

    /// <inheritdoc/>
    public string NewWorkerId() => LeaseOwners.New(env.Owner);

    public void Dispose()
    {
        foreach (var lazy in _steps.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
            {
                lazy.Value.Result.Dispose();
            }
        }

        _steps.Clear();
    }

    private async Task<RunSteps> BuildAsync(string pairId)
    {
        var (source, destination) = await EndpointsOfAsync(pairId).ConfigureAwait(false);
        return new RunSteps(ledger, Open(source), Open(destination), env, parallel);
    }

    private async Task<(string Source, string Destination)> EndpointsOfAsync(string pairId)
    {
        if (await ledger.GetPairAsync(pairId, CancellationToken.None).ConfigureAwait(false) is { } pair)
        {
            return (pair.Source, pair.Destination);
        }

        await foreach (var definition in ledger.ListDefinitionsAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (definition.PairId == pairId)
            {
                return (definition.Source, definition.Destination);
            }
        }

        throw new InvalidOperationException($"pair {pairId} is neither in the ledger nor a named pair");
    }

    private IObjectStore Open(string canonical)
    {
        var endpoint = endpoints.FromCanonical(canonical, out var error)
            ?? throw new InvalidOperationException($"the pair's endpoint {error}");
        return RetryDecorators.Store(endpoints.CreateStore(endpoint), policy);
    }
}
