using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SyncFunctions.GraphDev.Http;
using SyncFunctions.GraphDev.Subscriptions;

namespace SyncFunctions.GraphDev;

/// <summary>
/// A loopback Microsoft Graph drive server: the drive endpoints the Microsoft.Graph SDK uses (drive,
/// items by id and path, children, delta with tokens and 410 resync, /content with 302 and Range,
/// simple upload, upload sessions, create folder, rename/move, delete, copy with a monitor,
/// subscriptions with validation and notifications), following the shapes and status codes of the
/// protocol reference. Kestrel listens on 127.0.0.1 only: the API on <see cref="BaseUrl"/> and the
/// "pre-authenticated" content host (download/upload URLs, copy monitors) on a second port.
/// </summary>
/// <remarks>
/// Tests reach the model directly: <see cref="Drive"/> (seed and edit; edits show up in delta and
/// trigger notifications), <see cref="Faults"/> (429/503/slow/dropped for the next N matching requests)
/// and <see cref="RequestLog"/> (requests by route). Requests need no Authorization; any bearer token
/// is accepted. All members are thread-safe. Dispose to stop the server.
/// </remarks>
public sealed class GraphDevServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly GraphApi _api;
    private readonly SubscriptionService _subscriptions;

    private GraphDevServer(WebApplication app, GraphApi api, SubscriptionService subscriptions, GraphDevDrive drive, FaultInjector faults, RequestLog log)
    {
        _app = app;
        _api = api;
        _subscriptions = subscriptions;
        Drive = drive;
        Faults = faults;
        RequestLog = log;
    }

    /// <summary>Graph base URL, <c>http://127.0.0.1:PORT/v1.0</c>; give it to GraphServiceClient as baseUrl.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Base of the content host (download URLs, upload URLs, copy monitors).</summary>
    public Uri ContentBaseUrl { get; private set; } = null!;

    /// <summary>The drive's id.</summary>
    public string DriveId => Drive.DriveId;

    /// <summary>The drive model (seed, edit, inspect).</summary>
    public GraphDevDrive Drive { get; }

    /// <summary>Per-test switchable fault injection.</summary>
    public FaultInjector Faults { get; }

    /// <summary>Requests received, by route and method.</summary>
    public RequestLog RequestLog { get; }

    /// <summary>Ids of live subscriptions.</summary>
    public IReadOnlyList<string> SubscriptionIds => _subscriptions.ActiveIds();

    /// <summary>Change notifications delivered (answered 2xx) so far.</summary>
    public int NotificationsDelivered => _subscriptions.Delivered;

    /// <summary>Live upload sessions.</summary>
    public int UploadSessionCount => _api.UploadSessionCount;

    /// <summary>The line <c>syncfn graph-dev</c> prints once listening.</summary>
    public string ListeningMessage => $"graph-dev listening on {BaseUrl.ToString().TrimEnd('/')} drive {DriveId}";

    /// <summary>Creates (or reopens, with <see cref="GraphDevOptions.DataDir"/>) the drive and starts listening.</summary>
    public static async Task<GraphDevServer> StartAsync(GraphDevOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var drive = GraphDevDrive.Open(options);
        try
        {
            return await StartAsync(options, drive, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            drive.Dispose();
            throw;
        }
    }

    private static async Task<GraphDevServer> StartAsync(GraphDevOptions options, GraphDevDrive drive, CancellationToken cancellationToken)
    {
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var faults = new FaultInjector();
        var log = new RequestLog();
        var subscriptions = new SubscriptionService(drive, options, loggerFactory.CreateLogger("SyncFunctions.GraphDev"));
        var api = new GraphApi(drive, options, faults, log, subscriptions);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        ListenOptions? apiEndpoint = null;
        ListenOptions? contentEndpoint = null;
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null; // simple-upload and fragment limits are enforced per route
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, options.Port, l => apiEndpoint = l);
            kestrel.Listen(IPAddress.Loopback, options.ContentPort, l => contentEndpoint = l);
        });
        var app = builder.Build();
        app.Run(api.HandleAsync);
        var server = new GraphDevServer(app, api, subscriptions, drive, faults, log);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var apiPort = ((IPEndPoint)apiEndpoint!.EndPoint).Port;
        var contentPort = ((IPEndPoint)contentEndpoint!.EndPoint).Port;
        server.BaseUrl = new Uri($"http://127.0.0.1:{apiPort}/v1.0");
        server.ContentBaseUrl = new Uri($"http://127.0.0.1:{contentPort}");
        api.Urls = new ServerUrls($"http://127.0.0.1:{apiPort}/v1.0", $"http://127.0.0.1:{contentPort}");
        subscriptions.ApiBase = api.Urls.ApiBase;
        return server;
    }

    /// <summary>Ends every upload session now (their URLs answer 404, as after expiry).</summary>
    public void ExpireUploadSessions() => _api.ExpireUploadSessions();

    /// <summary>Posts a lifecycle notification (e.g. "reauthorizationRequired"); true when answered 2xx.</summary>
    public Task<bool> SendLifecycleNotificationAsync(string subscriptionId, string lifecycleEvent) =>
        _subscriptions.SendLifecycleAsync(subscriptionId, lifecycleEvent);

    /// <summary>Stops listening, ends notification deliveries and closes the journal.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            await _subscriptions.DisposeAsync().ConfigureAwait(false);
            Drive.Dispose();
        }
    }
}
