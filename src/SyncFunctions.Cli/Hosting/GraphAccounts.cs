using System.Collections.Concurrent;
using SyncFunctions.Abstractions;
using SyncFunctions.Graph;

namespace SyncFunctions.Cli.Hosting;

/// <summary>
/// The Microsoft Graph side of one command: one <see cref="GraphConnection"/> per base URL (a drive -> drive
/// pair on one cloud shares it), which drive stores are built on. Credentials are read from the environment
/// once, when the first connection is opened.
/// </summary>
/// <remarks>Thread-safe. Disposing closes every connection it opened.</remarks>
internal sealed class GraphAccounts : IDisposable
{
    private readonly ConcurrentDictionary<string, GraphConnection> _open = new(StringComparer.Ordinal);
    private readonly Lazy<GraphCredentials> _credentials;
    private readonly TimeProvider _time;

    /// <param name="time">Clock of the connections (expiries, Retry-After dates).</param>
    /// <param name="credentials">Where credentials come from; <see cref="GraphCredentials.FromEnvironment"/> when null.</param>
    public GraphAccounts(TimeProvider time, Func<GraphCredentials>? credentials = null)
    {
        _time = time;
        _credentials = new Lazy<GraphCredentials>(credentials ?? (() => GraphCredentials.FromEnvironment()));
    }

    /// <summary>The per-request network timeout of the connections opened after it is set.</summary>
    public TimeSpan NetworkTimeout { get; set; } = GraphConnection.DefaultNetworkTimeout;

    /// <summary>The connection for <paramref name="baseUrl"/>, created on first use (no request is sent).</summary>
    /// <exception cref="StorageException">Authentication: no credentials for a non-loopback URL, or incomplete ones.</exception>
    public GraphConnection Open(Uri baseUrl) =>
        _open.GetOrAdd(baseUrl.AbsoluteUri, _ => GraphConnection.Create(baseUrl, _credentials.Value, timeProvider: _time, networkTimeout: NetworkTimeout));

    public void Dispose()
    {
        foreach (var connection in _open.Values)
        {
            connection.Dispose();
        }

        _open.Clear();
    }
}
