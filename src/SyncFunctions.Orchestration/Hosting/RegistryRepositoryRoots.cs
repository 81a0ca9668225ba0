using SyncFunctions.Abstractions;
using SyncFunctions.Core.Endpoints;
using SyncFunctions.Core.Retry;
using SyncFunctions.Core.Snapshots.Destination;
using SyncFunctions.Orchestration.Repositories;

namespace SyncFunctions.Orchestration.Hosting;

/// <summary>Repository roots through a host's endpoint registry (the stores its pairs' runs write), each wrapped once in the retry policy.</summary>
/// <remarks>Thread-safe.</remarks>
public sealed class RegistryRepositoryRoots(EndpointRegistry endpoints, RetryPolicy policy) : IRepositoryRoots
{
    /// <inheritdoc/>
    public IObjectStore OpenRoot(string repository)
    {
        var endpoint = endpoints.FromCanonical(repository, out var error);
        if (endpoint is null || endpoint.Scheme != RepositoryEndpointScheme.SchemeName)
        {
            throw new ArgumentException($"'{repository}' is not a snapshot repository of this host: {error ?? "another scheme"}", nameof(repository));
        }

        return endpoints.CreateStore(endpoint) is RepositoryDestination destination
            ? RetryDecorators.Store(destination.Root, policy)
            : throw new ArgumentException($"'{repository}' does not open as a snapshot repository", nameof(repository));
    }
}
