using System.Collections.Concurrent;
using SyncFunctions.Abstractions;
using SyncFunctions.Azure;

namespace SyncFunctions.Cli.Hosting;

/// <summary>
/// The Azure side of one command: connections opened once per connection string (storage and ledger
/// share one when they are the same account), the storage account blob endpoints are on, and the table ledger.
/// </summary>
/// <remarks>Thread-safe. Disposing closes every connection it opened.</remarks>
internal sealed class AzureAccounts : IBlobAccounts, IDisposable
{
    private readonly ConcurrentDictionary<string, AzureStorageConnection> _open = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Uri, string> _storage = new();

    /// <summary>Null when <paramref name="connectionString"/> is well-formed, else the problem (never the key).</summary>
    public static string? ValidateConnectionString(string connectionString) => AzureStorageConnection.Validate(connectionString);

    /// <summary>The per-request network timeout of the connections opened after it is set.</summary>
    public TimeSpan NetworkTimeout { get; set; } = AzureStorageConnection.DefaultNetworkTimeout;

    public AzureStorageConnection Open(string connectionString) =>
        _open.GetOrAdd(connectionString, cs => AzureStorageConnection.Create(cs, networkTimeout: NetworkTimeout));

    /// <inheritdoc/>
    public IReadOnlyCollection<Uri> InUse => _storage.Keys.ToArray();

    /// <summary>
    /// Puts the storage account of <paramref name="connectionString"/> in use for blob endpoints and returns its identity,
    /// part of their canonical forms and so of pair ids: <see cref="CliEndpoints.EmbeddedBlobAccount"/> for the embedded
    /// Azurite (whose ports change), else the account's blob endpoint. Null when <paramref name="connectionString"/> is.
    /// </summary>
    public Uri? UseStorage(string? connectionString, bool embedded)
    {
        if (connectionString is null)
        {
            return null;
        }

        var account = embedded ? CliEndpoints.EmbeddedBlobAccount : Open(connectionString).BlobEndpoint;
        _storage[account] = connectionString;
        return account;
    }

    /// <inheritdoc/>
    public AzureStorageConnection Connect(Uri account) =>
        _storage.TryGetValue(account, out var connectionString)
            ? Open(connectionString)
            : throw new InvalidOperationException($"the storage account {account} is not in use");

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
