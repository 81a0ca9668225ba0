using SyncFunctions.Abstractions;
using SyncFunctions.Cli.Commands;
using SyncFunctions.Core.Engine;
using SyncFunctions.Core.Stores;

namespace SyncFunctions.Cli.Hosting;

/// <summary>Builds the stores for endpoints, and endpoints back from a pair's canonical strings.</summary>
internal static class StoreFactory
{
    private const string GraphPrefix = "graph:";

    /// <summary>The store of an endpoint.</summary>
    /// <param name="spec">The endpoint.</param>
    /// <param name="storageConnection">The account of a blob endpoint (unused otherwise).</param>
    /// <param name="graphUrl">The Graph base URL of a <c>graph:</c> endpoint (unused otherwise).</param>
    /// <param name="azure">Opens storage accounts.</param>
    /// <param name="graph">Opens Graph connections.</param>
    /// <param name="time">Clock of local stores.</param>
    public static IObjectStore Create(EndpointSpec spec, string? storageConnection, Uri? graphUrl, AzureAccounts azure, GraphAccounts graph, TimeProvider time) => spec.Kind switch
    {
        EndpointKind.Local => new LocalFolderStore(spec.LocalPath, time),
        EndpointKind.Blob => azure.CreateBlobStore(
            storageConnection ?? throw new InvalidOperationException("a blob endpoint needs a storage account"),
            spec.Container, spec.Prefix),
        EndpointKind.Graph => graph.CreateStore(graphUrl ?? throw new InvalidOperationException("a graph endpoint needs a Graph base URL"), spec.Graph),
        _ => throw new InvalidOperationException($"unknown endpoint kind {spec.Kind}"),
    };

    /// <summary>
    /// Stands for the embedded Azurite's blob endpoint in canonical forms: the real one holds ports that
    /// change whenever the instance restarts, and a pair's id must not change with them.
    /// </summary>
    public static readonly Uri EmbeddedBlobEndpoint = new("http://embedded-azurite.invalid/devstoreaccount1");

    /// <summary>The canonical form of an endpoint (the pair id hashes it); <paramref name="graphUrl"/> is part of a Graph endpoint's.</summary>
    public static string Canonical(EndpointSpec spec, ResolvedAccounts accounts, AzureAccounts azure, Uri? graphUrl = null) =>
        spec.Canonical(spec.Kind == EndpointKind.Blob ? AccountEndpoint(accounts, azure) : null, spec.Kind == EndpointKind.Graph ? graphUrl ?? throw new InvalidOperationException("a graph endpoint needs a Graph base URL") : null);

    /// <summary>
    /// The Graph base URL held in a canonical <c>graph:BASE_URL|DRIVE[/PATH]</c> endpoint, or null for other kinds.
    /// </summary>
    public static Uri? GraphUrlOf(string canonical)
    {
        if (!canonical.StartsWith(GraphPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var bar = canonical.IndexOf('|', StringComparison.Ordinal);
        return bar > GraphPrefix.Length && Uri.TryCreate(canonical[GraphPrefix.Length..bar], UriKind.Absolute, out var url)
            ? url
            : throw new FatalException($"the pair's endpoint '{canonical}' has no valid Graph base URL");
    }

    private static Uri? AccountEndpoint(ResolvedAccounts accounts, AzureAccounts azure) =>
        accounts.StorageIsEmbedded ? EmbeddedBlobEndpoint : accounts.Storage is { } storage ? azure.BlobEndpoint(storage) : null;

    /// <summary>
    /// Turns a pair's canonical endpoint (<c>local:/abs/path</c>, <c>blob:ACCOUNT_ENDPOINT/CONTAINER[/PREFIX]</c> or
    /// <c>graph:BASE_URL|DRIVE[/PATH]</c>) back into an endpoint, checking that a blob endpoint is on the storage
    /// account of <paramref name="accounts"/>. A Graph endpoint's base URL comes from <see cref="GraphUrlOf"/>.
    /// </summary>
    public static EndpointSpec FromCanonical(string canonical, ResolvedAccounts accounts, AzureAccounts azure)
    {
        if (canonical.StartsWith("local:", StringComparison.Ordinal))
        {
            return new EndpointSpec(EndpointKind.Local, canonical["local:".Length..], "", "");
        }

        if (canonical.StartsWith(GraphPrefix, StringComparison.Ordinal))
        {
            // The base URL travels with the endpoint (GraphUrlOf); a URL never holds a raw '|'.
            _ = GraphUrlOf(canonical);
            return new EndpointSpec(EndpointKind.Graph, "", "", "", canonical[(canonical.IndexOf('|', StringComparison.Ordinal) + 1)..]);
        }

        if (!canonical.StartsWith("blob:", StringComparison.Ordinal))
        {
            throw new FatalException($"the pair's endpoint '{canonical}' has an unknown form");
        }

        var account = AccountEndpoint(accounts, azure)?.GetLeftPart(UriPartial.Path).TrimEnd('/') ?? "";
        var expected = "blob:" + account + "/";
        if (account.Length == 0 || !canonical.StartsWith(expected, StringComparison.Ordinal))
        {
            throw new FatalException(
                $"the run's endpoint '{canonical}' is not on the storage account given ({(account.Length == 0 ? "none" : account)}); pass the same --storage as the run's sync");
        }

        var rest = canonical[expected.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash < 0
            ? new EndpointSpec(EndpointKind.Blob, "", rest, "")
            : new EndpointSpec(EndpointKind.Blob, "", rest[..slash], rest[(slash + 1)..]);
    }
}
