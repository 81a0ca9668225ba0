using System.Collections.Concurrent;
using SyncFunctions.GraphDev;

namespace SyncFunctions.Graph.Tests.Infrastructure;

/// <summary>A server (fresh drive) for one test, with a connection and a store at the drive root.</summary>
public sealed class DedicatedServer : IAsyncDisposable
{
    private DedicatedServer(GraphDevServer server, GraphConnection connection, ConcurrentQueue<RecordedRequest> sent)
    {
        Server = server;
        Connection = connection;
        Sent = sent;
    }

    public GraphDevServer Server { get; }

    public GraphConnection Connection { get; }

    public ConcurrentQueue<RecordedRequest> Sent { get; }

    public GraphDevDrive Drive => Server.Drive;

    /// <param name="configure">Server options.</param>
    /// <param name="intercept">Optional interception at the socket end of the client's handler chain.</param>
    public static async Task<DedicatedServer> StartAsync(
        Action<GraphDevOptions>? configure = null,
        Func<HttpRequestMessage, Func<Task<HttpResponseMessage>>, Task<HttpResponseMessage>>? intercept = null)
    {
        var options = new GraphDevOptions();
        configure?.Invoke(options);
        var server = await GraphDevServer.StartAsync(options);
        var sent = new ConcurrentQueue<RecordedRequest>();
        var connection = GraphConnection.Create(
            server.BaseUrl,
            GraphCredentials.None,
            inner => new RecordingHandler(intercept is null ? inner : new InterceptingHandler(inner, intercept), sent));
        return new DedicatedServer(server, connection, sent);
    }

    /// <summary>A store on this drive: at the root, or at <paramref name="folder"/>.</summary>
    public GraphDriveStore Store(string folder = "", GraphDriveStoreOptions? options = null) =>
        new(Connection, GraphEndpoint.Parse($"graph:{Server.DriveId}" + (folder.Length == 0 ? "" : "/" + folder)), options);

    public async ValueTask DisposeAsync()
    {
        Connection.Dispose();
        await Server.DisposeAsync();
    }
}
