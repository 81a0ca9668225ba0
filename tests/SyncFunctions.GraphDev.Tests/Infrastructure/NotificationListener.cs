using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace SyncFunctions.GraphDev.Tests.Infrastructure;

/// <summary>
/// A tiny Kestrel endpoint standing in for a webhook receiver: it answers Graph's validation request
/// (echoing the decoded token, or not, per <see cref="EchoValidation"/>) and queues every notification
/// body, which tests await without sleeping.
/// </summary>
internal sealed class NotificationListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<string> _notifications = Channel.CreateUnbounded<string>();
    private readonly Channel<string> _validations = Channel.CreateUnbounded<string>();

    private NotificationListener(WebApplication app)
    {
        _app = app;
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>Echo the validation token correctly (true) or answer with something else (false).</summary>
    public bool EchoValidation { get; set; } = true;

    private int _failuresLeft;

    /// <summary>Answer the next <paramref name="count"/> notifications with 500 (to exercise retries).</summary>
    public void FailNextNotifications(int count) => Interlocked.Exchange(ref _failuresLeft, count);

    public static async Task<NotificationListener> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        ListenOptions? endpoint = null;
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => endpoint = l));
        var app = builder.Build();
        var listener = new NotificationListener(app);
        app.Run(listener.HandleAsync);
        await app.StartAsync();
        listener.Url = new Uri($"http://127.0.0.1:{((IPEndPoint)endpoint!.EndPoint).Port}/hook");
        return listener;
    }

    /// <summary>The next notification body (fails after 30 s rather than hanging the run).</summary>
    public Task<string> NextNotificationAsync() => NextAsync(_notifications);

    /// <summary>The next validation token received.</summary>
    public Task<string> NextValidationAsync() => NextAsync(_validations);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task<string> NextAsync(Channel<string> channel)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await channel.Reader.ReadAsync(timeout.Token);
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Query.TryGetValue("validationToken", out var token))
        {
            _validations.Writer.TryWrite(token.ToString());
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(EchoValidation ? token.ToString() : "wrong");
            return;
        }

        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        _notifications.Writer.TryWrite(body);
        context.Response.StatusCode = Interlocked.Decrement(ref _failuresLeft) >= 0 ? 500 : 202;
    }
}
