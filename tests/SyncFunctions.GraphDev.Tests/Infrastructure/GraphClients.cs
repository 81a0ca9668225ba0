using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;
using SyncFunctions.GraphDev;

namespace SyncFunctions.GraphDev.Tests.Infrastructure;

/// <summary>A real GraphServiceClient (Graph middleware: redirect, parameter decoding, …) pointed at a dev server.</summary>
internal sealed class TestGraph : IDisposable
{
    private readonly HttpClient _http;

    private TestGraph(HttpClient http, GraphServiceClient client, string driveId)
    {
        _http = http;
        Client = client;
        DriveId = driveId;
    }

    public GraphServiceClient Client { get; }

    public string DriveId { get; }

    /// <summary>
    /// The SDK's default handler chain; with <paramref name="maxRetry"/> 0 the RetryHandler is kept but
    /// does not retry, so 429/503 surface as ODataError (the project's own retry layer owns retries).
    /// </summary>
    public static TestGraph Create(GraphDevServer server, int maxRetry = 0, IAuthenticationProvider? auth = null)
    {
        var handlers = GraphClientFactory.CreateDefaultHandlers().ToList();
        var index = handlers.FindIndex(h => h is RetryHandler);
        handlers[index] = new RetryHandler(new RetryHandlerOption { MaxRetry = maxRetry, Delay = 0 });
        var http = GraphClientFactory.Create(handlers);
        var client = new GraphServiceClient(http, auth ?? new AnonymousAuthenticationProvider(), server.BaseUrl.ToString());
        return new TestGraph(http, client, server.DriveId);
    }

    public void Dispose()
    {
        Client.Dispose();
        _http.Dispose();
    }
}

/// <summary>Starts a server for one test and disposes it with the test.</summary>
internal static class Servers
{
    public static Task<GraphDevServer> StartAsync(Action<GraphDevOptions>? configure = null)
    {
        var options = new GraphDevOptions();
        configure?.Invoke(options);
        return GraphDevServer.StartAsync(options, CancellationToken.None);
    }
}
