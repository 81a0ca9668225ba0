using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Http;

/// <summary>The 202 body of a started run, Durable's field names where they exist.</summary>
/// <param name="Id">The run, also its orchestration instance id.</param>
/// <param name="Pair">The pair's name.</param>
/// <param name="Kind">started, resumed or marked-dirty.</param>
/// <param name="Message">Which given options a resumed run kept, or who runs the pair.</param>
/// <param name="StatusQueryGetUri">The run's status (also the <c>Location</c> header).</param>
/// <param name="TerminatePostUri">Where to cancel it.</param>
/// <param name="EventsUri">Its progress as Server-Sent Events.</param>
public sealed record RunAccepted(string Id, string Pair, string Kind, string? Message, string StatusQueryGetUri, string TerminatePostUri, string EventsUri);

/// <summary>
/// The bodies of the run routes (<c>POST /api/pairs/{name}/runs</c>, <c>GET /api/runs</c>, <c>GET /api/runs/{id}</c>,
/// <c>POST /api/runs/{id}/terminate</c>, <c>GET /api/runs/{id}/events</c>), the same in every host.
/// </summary>
/// <param name="runs">The run service (over the host's Durable client).</param>
/// <param name="urls">The URLs handed out.</param>
/// <param name="time">Clock of the event stream's polling.</param>
/// <param name="log">Where failures of a request are logged (never keys or bodies).</param>
public sealed class RunApi(RunService runs, ApiUrls urls, TimeProvider time, ILogger log)
{
    /// <summary>Runs listed when <c>top</c> is not given.</summary>
    public const int DefaultTop = 50;

    private static readonly TimeSpan EventPoll = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Starts a run of the pair: 202 with <c>Location</c> = the status URL and a <see cref="RunAccepted"/> body; 409 with
    /// <c>activeRunId</c> and its <c>statusQueryGetUri</c> while one is running; 400, 404.
    /// </summary>
    public Task<IResult> StartAsync(HttpRequest request, string name, CancellationToken cancellationToken) =>
        SyncHttp.GuardAsync(request, log, async () =>
        {
            var result = await runs.StartAsync(name, "http", markDirtyWhenBusy: false, cancellationToken).ConfigureAwait(false);
            if (result.Outcome == ServiceOutcome.Conflict && result.Value is { } busy)
            {
                return SyncHttp.Problem(409, "run active", result.Problem!, new() { ["activeRunId"] = busy.Id, ["statusQueryGetUri"] = urls.Run(busy.Id).ToString() });
            }

            if (!result.Succeeded)
            {
                return SyncHttp.From(result);
            }

            return Accepted(result.Value!, urls);
        });

    /// <summary>The 202 of a started run: <c>Location</c> = its status URL, a <see cref="RunAccepted"/> body.</summary>
    public static IResult Accepted(RunStarted run, ApiUrls urls)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(urls);
        var status = urls.Run(run.Id);
        var body = new RunAccepted(run.Id, run.Pair, run.Kind, run.Message, status.ToString(), urls.Terminate(run.Id).ToString(), urls.Events(run.Id).ToString());
        return SyncHttp.WithLocation(Results.Json(body, SyncHttp.Json, statusCode: 202), status);
    }

    /// <summary>Runs, newest first: query <c>pair</c> (a name; every pair's when absent) and <c>top</c> (1..1000, default 50).</summary>
    public Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken) =>
        SyncHttp.GuardAsync(request, log, async () =>
        {
            ArgumentNullException.ThrowIfNull(request);
            var pair = request.Query["pair"].FirstOrDefault();
            var top = DefaultTop;
            if (request.Query["top"].FirstOrDefault() is { } text && !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out top))
            {
                return SyncHttp.Problem(400, "bad request", $"top must be an integer (got '{Truncate(text)}')");
            }

            return SyncHttp.From(await runs.ListAsync(pair, Math.Clamp(top, 1, 1000), cancellationToken).ConfigureAwait(false));
        });

    /// <summary>A run's status in Durable's shape (200), 400 for a malformed id, 404.</summary>
    public Task<IResult> GetAsync(HttpRequest request, string id, CancellationToken cancellationToken) =>
        SyncHttp.GuardAsync(request, log, async () => SyncHttp.From(await runs.GetStatusAsync(id, cancellationToken).ConfigureAwait(false)));

    /// <summary>Cancels a running run (202), 404, 409 once it has ended.</summary>
    public Task<IResult> TerminateAsync(HttpRequest request, string id, CancellationToken cancellationToken) =>
        SyncHttp.GuardAsync(request, log, async () => SyncHttp.From(await runs.TerminateAsync(id, cancellationToken).ConfigureAwait(false)));

    /// <summary>
    /// The run's status as Server-Sent Events: an event <c>status</c> whenever it changes (at most once a second), a
    /// comment every 15 s to keep proxies open, and an event <c>end</c> once the run has ended. A host whose requests
    /// are limited in time passes <paramref name="maxDuration"/>: the stream then stops without <c>end</c> and the
    /// client reconnects. A problem (400, 404, 503) is answered before the stream starts.
    /// </summary>
    public async Task StreamEventsAsync(HttpContext http, string id, TimeSpan? maxDuration = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        var ct = http.RequestAborted;
        var first = await SyncHttp.GuardAsync(http.Request, log, async () =>
        {
            var status = await runs.GetStatusAsync(id, ct).ConfigureAwait(false);
            return status.Value is null ? SyncHttp.From(status) : new StatusValue(status.Value);
        }).ConfigureAwait(false);
        if (first is not StatusValue { Status: var status })
        {
            await first.ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        var deadline = maxDuration is { } limit ? time.GetUtcNow() + limit : DateTimeOffset.MaxValue;
        string? last = null;
        var quiet = 0;
        while (true)
        {
            var json = JsonSerializer.Serialize(status, SyncHttp.Json);
            if (json != last)
            {
                await http.Response.WriteAsync($"event: status\ndata: {json}\n\n", Encoding.UTF8, ct).ConfigureAwait(false);
                last = json;
                quiet = 0;
            }
            else if (++quiet % 15 == 0)
            {
                await http.Response.WriteAsync(": waiting\n\n", Encoding.UTF8, ct).ConfigureAwait(false);
            }

            await http.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            if (status.RuntimeStatus is "Completed" or "Failed" or "Terminated")
            {
                await http.Response.WriteAsync($"event: end\ndata: {JsonSerializer.Serialize(new { id, status.RuntimeStatus }, SyncHttp.Json)}\n\n", Encoding.UTF8, ct).ConfigureAwait(false);
                return;
            }

            if (time.GetUtcNow() >= deadline)
            {
                return;
            }

            await Task.Delay(EventPoll, time, ct).ConfigureAwait(false);
            status = (await runs.GetStatusAsync(id, ct).ConfigureAwait(false)).Value ?? status;
        }
    }

    private static string Truncate(string text) => text.Length <= 20 ? text : text[..20] + "...";

    /// <summary>A status read before the stream starts (never executed: the stream writes it).</summary>
    private sealed class StatusValue(RunStatusResponse status) : IResult
    {
        public RunStatusResponse Status { get; } = status;

        public Task ExecuteAsync(HttpContext httpContext) => throw new InvalidOperationException("a status value is streamed, not executed");
    }
}
