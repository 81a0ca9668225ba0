using System.Collections.Concurrent;
using SyncFunctions.Abstractions;
using SyncFunctions.Cli.Commands;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Retry;
using SyncFunctions.Orchestration;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Cli.Hosting;

/// <summary>Endpoints of named pairs parsed as <c>syncfn sync</c> parses its arguments, into the same canonical forms.</summary>
/// <remarks>
/// <paramref name="storage"/> is the storage account identity <see cref="AzureAccounts.UseStorage"/> gave; <paramref name="graph"/> the
/// Graph base URLs of graph: endpoints (null: from the environment, as serve has no Graph options).
/// </remarks>
internal sealed class CliPairEndpoints(Uri? storage, ConnectionChoice connections, CommandHost host, string baseDirectory, GraphChoice? graph = null) : IPairEndpoints
{
    public (string Source, string Destination) Resolve(string source, string destination)
    {
        try
        {
            var request = SyncCommand.Validate(source, destination, new SyncOptions().Parallel, null, false, null, false, connections, baseDirectory, host.Endpoints, graph);
            return (host.Endpoints.Canonical(CliEndpoints.OnStorage(request.Source, storage)), host.Endpoints.Canonical(CliEndpoints.OnStorage(request.Destination, storage)));
        }
        catch (Exception e) when (e is UsageException or FatalException or InvalidOperationException or ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ServiceInputException(e.Message);
        }
    }
}

/// <summary>
/// The run steps of each pair this process serves, built once per pair from the pair's canonical endpoints (its pair
/// row, or its named definition before its first run), every store wrapped once in the retry policy.
/// </summary>
internal sealed class CliStepsProvider(ILedger ledger, CommandHost host, EngineEnvironment env, RetryPolicy policy, int parallel) : IRunStepsProvider, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<RunSteps>>> _steps = new(StringComparer.Ordinal);

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
        var store = host.Endpoints.CreateStore(CliEndpoints.FromCanonical(host.Endpoints, canonical));
        return RetryDecorators.Store(store, policy);
    }
}
