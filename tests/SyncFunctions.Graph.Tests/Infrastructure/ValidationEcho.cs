using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace SyncFunctions.Graph.Tests.Infrastructure;

/// <summary>
/// A webhook stand-in on a loopback port (HttpListener): answers Graph's validation requests with the decoded token
/// (or with something else, per <see cref="Echo"/>) and 202 to anything else, keeping what it received.
/// </summary>
internal sealed class ValidationEcho : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public ValidationEcho()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = new Uri($"http://127.0.0.1:{port}/api/webhooks/graph");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri Url { get; }

    public bool Echo { get; set; } = true;

    public ConcurrentQueue<string> Validations { get; } = new();

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

            var token = context.Request.QueryString["validationToken"];
            if (token is not null)
            {
                Validations.Enqueue(token);
                context.Response.StatusCode = 200;
                context.Response.ContentType = "text/plain";
                var body = System.Text.Encoding.UTF8.GetBytes(Echo ? token : "not the token");
                await context.Response.OutputStream.WriteAsync(body);
            }
            else
            {
                context.Response.StatusCode = 202;
            }

            context.Response.Close();
        }
    }
}
