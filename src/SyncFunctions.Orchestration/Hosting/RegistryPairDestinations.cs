using SyncFunctions.Abstractions;
using SyncFunctions.Core.Endpoints;
using SyncFunctions.Core.Maintenance;
using SyncFunctions.Core.Retry;

namespace SyncFunctions.Orchestration.Hosting;

/// <summary>The pairs' destination stores through a host's endpoint registry, each wrapped once in the retry policy (for maintenance).</summary>
/// <remarks>Thread-safe. Builds a store per call: maintenance opens each pair's destination once or twice a pass.</remarks>
public sealed class RegistryPairDestinations(ILedger ledger, EndpointRegistry endpoints, RetryPolicy policy) : IPairDestinations
{
    /// <inheritdoc/>
    public async Task<IObjectStore?> OpenAsync(string pairId, CancellationToken cancellationToken)
    {
        if (await ledger.GetPairAsync(pairId, cancellationToken).ConfigureAwait(false) is not { } pair)
        {
            return null;
        }

        var endpoint = endpoints.FromCanonical(pair.Destination, out var error)
            ?? throw new InvalidOperationException($"the pair's destination {error}");
        return RetryDecorators.Store(endpoints.CreateStore(endpoint), policy);
    }
}
