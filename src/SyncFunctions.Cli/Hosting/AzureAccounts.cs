using System.Collections.Concurrent;
using SyncFunctions.Abstractions;
using SyncFunctions.Azure;

namespace SyncFunctions.Cli.Hosting;

/// <summary>
/// The Azure side of one command: connections opened once per connection string (storage and ledger
/// share one when they are the same account), blob stores and the table ledger built on them.
/// </summary>
/// <remarks>Thread-safe. Disposing closes every connection it opened.</remarks>
internal sealed class AzureAccounts : IDisposable
{
    private readonly ConcurrentDictionary<string, AzureStorageConnection> _open = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public AzureAccounts(TimeProvider time) => _time = time;

    /// <summary>Null when <paramref name="connectionString"/> is well-formed, else the problem (never the key).</summary>
    public static string? ValidateConnectionString(string connectionString) => AzureStorageConnection.Validate(connectionString);

    /// <summary>The per-request network timeout of the connections opened after it is set.</summary>
    public TimeSpan NetworkTimeout { get; set; } = AzureStorageConnection.DefaultNetworkTimeout;

    public AzureStorageConnection Open(string connectionString) =>
        _open.GetOrAdd(connectionString, cs => AzureStorageConnection.Create(cs, networkTimeout: NetworkTimeout));

    /// <summary>The account's blob endpoint: part of a blob endpoint's canonical form and so of the pair id.</summary>
    public Uri BlobEndpoint(string connectionString) => Open(connectionString).BlobEndpoint;

    public IObjectStore CreateBlobStore(string connectionString, string container, string prefix) =>
        BlobObjectStore.Create(Open(connectionString), container, prefix, _time);

    public ILedger CreateLedger(string connectionString) => TableLedger.Create(Open(connectionString));

    public void Dispose()
    {
        foreach (var connection in _open.Values)
        {
            connection.Dispose();
        }

        _open.Clear();
    }
}
