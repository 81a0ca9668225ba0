using System.Collections.Concurrent;
using SyncFunctions.GraphDev;

namespace SyncFunctions.Graph.Tests.Infrastructure;

/// <summary>
/// One loopback Graph server and one anonymous <see cref="GraphConnection"/> per test class; each test
/// roots its store in a fresh folder so tests do not see each other's items.
/// </summary>
public sealed class GraphServerFixture : IAsyncLifetime
{
    private GraphDevServer? _server;
    private GraphConnection? _connection;

    public GraphDevServer Server => _server ?? throw new InvalidOperationException("not started");

    public GraphConnection Connection => _connection ?? throw new InvalidOperationException("not started");

    /// <summary>Every request the client sent (below the SDK's handlers), for header checks.</summary>
    public ConcurrentQueue<RecordedRequest> Sent { get; } = new();

    public async Task InitializeAsync()
    {
        // ODB-like: only quickXorHash, so ObjectInfo.Sha256 stays null (the store keeps no custom hash).
        _server = await GraphDevServer.StartAsync(new GraphDevOptions { IncludeShaHashes = false });
        _connection = GraphConnection.Create(_server.BaseUrl, GraphCredentials.None, inner => new RecordingHandler(inner, Sent));
    }

    public async Task DisposeAsync()
    {
        _connection?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>A store rooted at a new, existing folder "t-{guid}".</summary>
    public GraphDriveStore NewStore(GraphDriveStoreOptions? options = null) => NewStore(out _, options);

    public GraphDriveStore NewStore(out string folder, GraphDriveStoreOptions? options = null)
    {
        folder = "t-" + Guid.NewGuid().ToString("N")[..12];
        Server.Drive.CreateFolder(folder);
        return new GraphDriveStore(Connection, GraphEndpoint.Parse($"graph:{Server.DriveId}/{folder}"), options);
    }
}

/// <summary>A request as it left the client: method, URL and whether it carried a token.</summary>
public sealed record RecordedRequest(string Method, Uri Url, bool HadAuthorization);

/// <summary>Records each request at the socket end of the handler chain (what the server really receives).</summary>
public sealed class RecordingHandler(HttpMessageHandler inner, ConcurrentQueue<RecordedRequest> sink) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        sink.Enqueue(new RecordedRequest(request.Method.Method, request.RequestUri!, request.Headers.Authorization is not null));
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>Lets a test intercept requests at the socket end (fault injection the server cannot do itself).</summary>
public sealed class InterceptingHandler(HttpMessageHandler inner, Func<HttpRequestMessage, Func<Task<HttpResponseMessage>>, Task<HttpResponseMessage>> intercept) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        intercept(request, () => base.SendAsync(request, cancellationToken));
}
