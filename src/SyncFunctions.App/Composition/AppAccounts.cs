using System.Collections.Concurrent;
using SyncFunctions.Abstractions.Endpoints;
using SyncFunctions.Azure;
using SyncFunctions.Core.Snapshots.Destination;
using SyncFunctions.Graph;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.App.Composition;

/// <summary>
/// The app's one storage account for blob endpoints, named by its blob service endpoint in canonical forms (so pairs
/// added by the CLI with the same account as <c>--storage</c> are the same pairs).
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class AppBlobAccounts(AzureStorageConnection connection) : IBlobAccounts
{
    public IReadOnlyCollection<Uri> InUse { get; } = [connection.BlobEndpoint];

    public AzureStorageConnection Connect(Uri account) =>
        account == connection.BlobEndpoint ? connection : throw new InvalidOperationException($"the storage account {account} is not the app's");
}

/// <summary>One Graph connection per base URL, on the app's credentials.</summary>
/// <remarks>Thread-safe. Disposing closes every connection it opened.</remarks>
internal sealed class AppGraphAccounts(GraphCredentials credentials, TimeProvider time) : IDisposable
{
    private readonly ConcurrentDictionary<string, GraphConnection> _open = new(StringComparer.Ordinal);

    public GraphConnection Open(Uri baseUrl) =>
        _open.GetOrAdd(baseUrl.AbsoluteUri, _ => GraphConnection.Create(baseUrl, credentials, timeProvider: time));

    public void Dispose()
    {
        foreach (var connection in _open.Values)
        {
            connection.Dispose();
        }

        _open.Clear();
    }
}

/// <summary>
/// Puts a parsed endpoint on the app's accounts: a blob container on the storage account, a drive at the Graph URL
/// (which needs configured, complete credentials unless it is a loopback URL). Others pass as they are.
/// </summary>
internal sealed class AppEndpointPlacement(Uri storageAccount, Uri graphUrl, GraphCredentials credentials)
{
    public SyncEndpoint Place(SyncEndpoint endpoint, bool isSource)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Scheme is BlobEndpointScheme.SchemeName or RepositoryEndpointScheme.SchemeName)
        {
            return endpoint with { Account = storageAccount };
        }

        if (endpoint.Scheme != GraphEndpointScheme.SchemeName)
        {
            return endpoint;
        }

        var role = isSource ? "source" : "destination";
        if (!credentials.IsConfigured && !GraphConnection.IsLoopback(graphUrl))
        {
            throw new ServiceInputException(
                $"{role} '{endpoint}': the app has no Graph credentials for {graphUrl}; set AZURE_TENANT_ID and AZURE_CLIENT_ID with AZURE_CLIENT_SECRET " +
                "or AZURE_CLIENT_CERTIFICATE_PATH, or SYNCFN_GRAPH_MANAGED_IDENTITY=1, in the app settings");
        }

        if (credentials.Validate() is { } problem)
        {
            throw new ServiceInputException($"{role} '{endpoint}': the app's Graph credentials ({credentials}): {problem}");
        }

        return endpoint with { Account = graphUrl };
    }
}
