using SyncFunctions.Abstractions.Endpoints;
using SyncFunctions.Azure;
using SyncFunctions.Cli.Commands;
using SyncFunctions.Core.Endpoints;
using SyncFunctions.Core.Snapshots.Destination;
using SyncFunctions.Core.Stores;
using SyncFunctions.Graph;

namespace SyncFunctions.Cli.Hosting;

/// <summary>
/// The CLI's endpoint registry (local folders, blob containers, Graph drives) over one command's connections, and
/// the CLI's rule around it: blob endpoints are on the command's one storage account (--storage, else the embedded
/// Azurite), and a pair's blob endpoint is read back only on that account.
/// </summary>
internal static class CliEndpoints
{
    /// <summary>
    /// Stands for the embedded Azurite's blob endpoint in canonical forms: the real one holds ports that change
    /// whenever the instance restarts, and a pair's id must not change with them.
    /// </summary>
    public static readonly Uri EmbeddedBlobAccount = new("http://embedded-azurite.invalid/devstoreaccount1");

    /// <summary>The registry of a command: stores are built on the connections of <paramref name="azure"/> and <paramref name="graph"/>.</summary>
    public static EndpointRegistry Create(AzureAccounts azure, GraphAccounts graph, TimeProvider time)
    {
        var blob = new BlobEndpointScheme(azure, time);
        return new([new LocalEndpointScheme(time), blob, new RepositoryEndpointScheme(blob, time), new GraphEndpointScheme(graph.Open)]);
    }

    /// <summary>True for an endpoint on the storage account (a blob container, a snapshot repository in one).</summary>
    public static bool NeedsStorage(SyncEndpoint endpoint) => endpoint.Scheme is BlobEndpointScheme.SchemeName or RepositoryEndpointScheme.SchemeName;

    /// <summary>True for the canonical form of an endpoint on the storage account.</summary>
    public static bool NeedsStorage(string canonical) =>
        canonical.StartsWith(BlobEndpointScheme.SchemeName + ":", StringComparison.Ordinal)
        || canonical.StartsWith(RepositoryEndpointScheme.SchemeName + ":", StringComparison.Ordinal);

    /// <summary>
    /// Puts a blob endpoint on the storage account <paramref name="storage"/> (the identity <see cref="AzureAccounts.UseStorage"/>
    /// gave); other endpoints pass as they are.
    /// </summary>
    public static SyncEndpoint OnStorage(SyncEndpoint endpoint, Uri? storage) =>
        NeedsStorage(endpoint)
            ? endpoint with { Account = storage ?? throw new InvalidOperationException($"the blob endpoint '{endpoint}' needs a storage account") }
            : endpoint;

    /// <summary>A pair's canonical endpoint read back, its account included.</summary>
    /// <exception cref="FatalException">The form is unknown or malformed, or a blob endpoint is on another storage account (the message says to pass the same --storage).</exception>
    public static SyncEndpoint FromCanonical(EndpointRegistry endpoints, string canonical) =>
        endpoints.FromCanonical(canonical, out var error)
        ?? throw new FatalException($"the pair's endpoint {error}" + (NeedsStorage(canonical) ? "; pass the same --storage as the run's sync" : ""));
}
