using System.Net;
using System.Net.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SyncFunctions.GraphDev;

namespace SyncFunctions.IntegrationTests.Graph;

/// <summary>
/// A reverse proxy in front of one <see cref="GraphDevServer"/> that can hold a download body half-way, so a
/// test can kill a syncfn process in the middle of a large download deterministically (the server's own
/// faults delay whole responses only). Graph API calls and content-host calls are forwarded as they are; a
/// redirect to the content host is rewritten to the proxy, so downloads pass through it. The first download
/// body to reach <c>stallAfter</c> bytes is flushed up to there, <see cref="Stalled"/> completes, and the rest is
/// held until the client goes away; after <see cref="StopStalling"/> everything flows. <see cref="HoldResponse"/>
/// lets one request reach the server and withholds its response instead (a write that landed, unacknowledged).
/// </summary>
/// <remarks>Thread-safe. Links inside JSON bodies (nextLink, upload URLs) still point at the server itself.</remarks>
internal sealed class StallingProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "Host",
    };

    private readonly WebApplication _app;
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false });
    private readonly GraphDevServer _server;
    private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _stallAfter;
    private HoldRule? _holdResponse;

    private StallingProxy(WebApplication app, GraphDevServer server, long stallAfter)
    {
        _app = app;
        _server = server;
        _stallAfter = stallAfter;
    }

    /// <summary>The Graph base URL through the proxy (give it to syncfn as --graph-url).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Completes when a download body has been held at the stall point.</summary>
    public Task Stalled => _stalled.Task;

    private Uri Origin { get; set; } = null!;

    public static async Task<StallingProxy> StartAsync(GraphDevServer server, long stallAfter)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        ListenOptions? endpoint = null;
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Listen(IPAddress.Loopback, 0, l => endpoint = l);
        });
        var app = builder.Build();
        var proxy = new StallingProxy(app, server, stallAfter);
        app.Run(proxy.ForwardAsync);
        await app.StartAsync();
        proxy.Origin = new Uri($"http://127.0.0.1:{((IPEndPoint)endpoint!.EndPoint).Port}");
        proxy.BaseUrl = new Uri(proxy.Origin, "/v1.0");
        return proxy;
    }

    /// <summary>
    /// The next request matching <paramref name="match"/> is forwarded and answered by the server, but its response
    /// is withheld until the client goes away; the returned task completes once the server has answered it.
    /// </summary>
    public Task HoldResponse(Func<HttpRequest, bool> match)
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _holdResponse, new HoldRule(match, held));
        return held.Task;
    }

    /// <summary>From now on bodies flow without holding.</summary>
    public void StopStalling() => Interlocked.Exchange(ref _stallAfter, long.MaxValue);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
    }

    private async Task ForwardAsync(HttpContext context)
    {
        try
        {
            await ForwardOnceAsync(context);
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (killed by the test): nothing left to answer.
        }
    }

    private async Task ForwardOnceAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var upstream = path.StartsWith("/v1.0", StringComparison.Ordinal) ? new Uri(_server.BaseUrl.GetLeftPart(UriPartial.Authority)) : _server.ContentBaseUrl;
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(upstream, path + context.Request.QueryString));
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(context.Request.Body);
        }

        foreach (var (name, values) in context.Request.Headers.Where(h => !HopHeaders.Contains(h.Key)))
        {
            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        var hold = Volatile.Read(ref _holdResponse) is { } rule && rule.Match(context.Request)
            && Interlocked.CompareExchange(ref _holdResponse, null, rule) == rule ? rule.Held : null;
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        if (hold is not null)
        {
            // The server has done the work; the client never learns it (the test kills it now).
            hold.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted);
        }

        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers).Where(h => !HopHeaders.Contains(h.Key)))
        {
            context.Response.Headers[name] = values.ToArray();
        }

        if (response.Headers.Location is { } location && location.IsAbsoluteUri && location.Authority == _server.ContentBaseUrl.Authority)
        {
            context.Response.Headers.Location = new Uri(Origin, location.PathAndQuery).ToString();
        }

        await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
        await CopyBodyAsync(body, context, path.StartsWith("/_download/", StringComparison.Ordinal));
    }

    private async Task CopyBodyAsync(Stream body, HttpContext context, bool isDownload)
    {
        var buffer = new byte[64 * 1024];
        long sent = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            var limit = isDownload ? Interlocked.Read(ref _stallAfter) : long.MaxValue;
            var take = (int)Math.Min(read, Math.Max(0, limit - sent));
            await context.Response.Body.WriteAsync(buffer.AsMemory(0, take), context.RequestAborted);
            sent += take;
            if (take < read)
            {
                await context.Response.Body.FlushAsync(context.RequestAborted);
                _stalled.TrySetResult();

                // Held until the client goes away (the test kills it); the rest of this body is never sent.
                await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted);
            }
        }
    }

    private sealed record HoldRule(Func<HttpRequest, bool> Match, TaskCompletionSource Held);
}
