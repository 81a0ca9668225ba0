using SyncFunctions.Abstractions.Endpoints;
using SyncFunctions.Core.Endpoints;
using SyncFunctions.Core.Snapshots.Destination;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Orchestration.Hosting;

/// <summary>
/// Endpoints of named pairs parsed by a host's endpoint registry into the canonical forms pair ids hash: each endpoint
/// parsed, put on its account by the host (<paramref name="placeOnAccount"/>: a blob container on the storage account,
/// a drive at its Graph URL), refused when one holds the other, then made canonical.
/// </summary>
/// <remarks>Thread-safe when <paramref name="placeOnAccount"/> is.</remarks>
/// <param name="endpoints">The host's schemes.</param>
/// <param name="baseDirectory">What a relative local path is relative to.</param>
/// <param name="placeOnAccount">
/// The endpoint on its account (role: true for the source); throws <see cref="ServiceInputException"/> when it cannot
/// be (no account for it, no credentials). Endpoints without accounts pass through unchanged.
/// </param>
public sealed class RegistryPairEndpoints(EndpointRegistry endpoints, string baseDirectory, Func<SyncEndpoint, bool, SyncEndpoint> placeOnAccount) : IPairEndpoints
{
    /// <inheritdoc/>
    public (string Source, string Destination) Resolve(string source, string destination)
    {
        var from = placeOnAccount(Parse(source, "source"), true);
        var to = placeOnAccount(Parse(destination, "destination"), false);

        if (from.Scheme == RepositoryEndpointScheme.SchemeName)
        {
            throw new ServiceInputException($"source '{from}': {RepositoryEndpointScheme.NotASource}");
        }

        // A folder synced into itself (or its parent) would feed on its own output.
        if (endpoints.Overlaps(from, to))
        {
            throw new ServiceInputException($"source '{from}' and destination '{to}' overlap (one is inside the other); choose endpoints outside each other");
        }

        try
        {
            return (endpoints.Canonical(from), endpoints.Canonical(to));
        }
        catch (InvalidOperationException e)
        {
            throw new ServiceInputException(e.Message);
        }
    }

    private SyncEndpoint Parse(string text, string role) =>
        endpoints.Parse(text, baseDirectory, out var error) ?? throw new ServiceInputException($"{role}: {error}");
}
