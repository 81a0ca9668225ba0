using System.Net;
using System.Net.Sockets;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.IntegrationTests.Serve;

/// <summary>
/// A third host of <see cref="GraphWebhookService"/> (HttpListener on a loopback port), so the service's contract is
/// exercised without serve: raw query, content type and body in, its response out.
/// </summary>
internal sealed class WebhookListener : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private GraphWebhookService? _service;

    public WebhookListener()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseUrl.ToString());
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri BaseUrl { get; }

    /// <summary>The service requests go to (set before the first request).</summary>
    public GraphWebhookService Service
    {
        set => _service = value;
    }

    public void Dispose()
    {
        _listener.Close();
        _ = _loop.Exception;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var response = await _service!.HandleAsync(new WebhookRequest(context.Request.Url!.Query, context.Request.ContentType, body.ToArray()), default);
            context.Response.StatusCode = response.Status;
            context.Response.ContentType = response.ContentType;
            await context.Response.OutputStream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(response.Body));
            context.Response.Close();
        }
    }
}
