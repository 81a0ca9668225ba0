using SyncFunctions.Abstractions;
using SyncFunctions.Cli.Commands;
using SyncFunctions.Core.Engine;
using SyncFunctions.Core.Stores;

namespace SyncFunctions.Cli.Hosting;

/// <summary>Builds the stores for endpoints, and endpoints back from a pair's canonical strings.</summary>
internal static class StoreFactory
{
    public static IObjectStore Create(EndpointSpec spec, string? storageConnection, AzureAccounts azure, TimeProvider time) => spec.Kind switch
    {
        EndpointKind.Local => new LocalFolderStore(spec.LocalPath, time),
        _ => azure.CreateBlobStore(
            storageConnection ?? throw new InvalidOperationException("a blob endpoint needs a storage account"),
            spec.Container, spec.Prefix),
    };

    /// <summary>
    /// Stands for the embedded Azurite's blob endpoint in canonical forms: the real one holds ports that
    /// change whenever the instance restarts, and a pair's id must not change with them.
    /// </summary>
    public static readonly Uri EmbeddedBlobEndpoint = new("http://embedded-azurite.invalid/devstoreaccount1");

    /// <summary>The canonical form of an endpoint (the pair id hashes it).</summary>
    public static string Canonical(EndpointSpec spec, ResolvedAccounts accounts, AzureAccounts azure) =>
        spec.Canonical(spec.Kind == EndpointKind.Blob ? AccountEndpoint(accounts, azure) : null);

    private static Uri? AccountEndpoint(ResolvedAccounts accounts, AzureAccounts azure) =>
        accounts.StorageIsEmbedded ? EmbeddedBlobEndpoint : accounts.Storage is { } storage ? azure.BlobEndpoint(storage) : null;

    /// <summary>
    /// Turns a pair's canonical endpoint (<c>local:/abs/path</c> or <c>blob:ACCOUNT_ENDPOINT/CONTAINER[/PREFIX]</c>)
    /// back into an endpoint, checking that a blob endpoint is on the storage account of <paramref name="accounts"/>.
    /// </summary>
    public static EndpointSpec FromCanonical(string canonical, ResolvedAccounts accounts, AzureAccounts azure)
    {
        if (canonical.StartsWith("local:", StringComparison.Ordinal))
        {
            return new EndpointSpec(EndpointKind.Local, canonical["local:".Length..], "", "");
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
