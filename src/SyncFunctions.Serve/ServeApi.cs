using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using SyncFunctions.Abstractions;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Serve;

/// <summary>What the routes of <see cref="ServeApi"/> call.</summary>
/// <param name="Pairs">Named pairs.</param>
/// <param name="Runs">Runs and their status.</param>
/// <param name="Key">The API key every non-webhook route requires.</param>
/// <param name="BaseUrl">The base of the URLs handed out (status, terminate): the public URL, else the listening one.</param>
/// <param name="Time">Clock of the event stream's polling.</param>
/// <param name="Log">Where failures of a request are logged (never keys or bodies).</param>
public sealed partial record ServeApiContext(PairService Pairs, RunService Runs, ApiKey Key, Func<Uri> BaseUrl, TimeProvider Time, ILogger Log)
{
    /// <summary>Event Grid blob events (<c>/api/webhooks/blob-events</c>); null: the route answers 404.</summary>
    public BlobEventsWebhookService? BlobEvents { get; init; }
}

/// <summary>
/// The HTTP API of <c>syncfn serve</c>, on the Functions app's routes (<c>/api/...</c>): named pairs, runs (start,
/// status in Durable's shape, terminate, list, a Server-Sent Events stream). Bad input gets 400 with a
/// problem-details body; a missing or wrong key 401.
/// </summary>
public static partial class ServeApi
{
    /// <summary>Largest request body read.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>JSON of requests and responses: camelCase, enums as strings, nulls left out; unknown request properties refused.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static readonly TimeSpan EventPoll = TimeSpan.FromSeconds(1);

    /// <summary>Adds the key check, the error handling and every route.</summary>
    public static void MapSyncApi(this WebApplication app, ServeApiContext context)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(context);
        app.Use(async (http, next) =>
        {
            if (http.Request.ContentLength > MaxBodyBytes || (http.Request.ContentLength is null && http.Request.Headers.TransferEncoding.Count > 0))
            {
                // The server will not drain a body past the limit (nor an unbounded chunked one) after an early answer
                // (401, 413, ...): it closes the connection, so the response says so and the client does not send its
                // next request on it.
                http.Response.Headers.Connection = "close";
            }

            try
            {
                var path = http.Request.Path;
                if (path.StartsWithSegments("/api", StringComparison.Ordinal) && !path.StartsWithSegments("/api/webhooks", StringComparison.Ordinal) && !context.Key.Admits(http.Request))
                {
                    await Problem(401, "unauthorized", "a valid key is required: header x-functions-key or query parameter code").ExecuteAsync(http).ConfigureAwait(false);
                    return;
                }

                await next(http).ConfigureAwait(false);
            }
            catch (BadHttpRequestException e)
            {
                await Problem(e.StatusCode, "bad request", e.Message).ExecuteAsync(http).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                // The client went away.
            }
            catch (StorageException e) when (!http.Response.HasStarted)
            {
                ServeLogs.RequestFailed(context.Log, http.Request.Method, http.Request.Path, e.Kind.ToString(), e.Message);
                await Problem(503, "storage unavailable", e.Message).ExecuteAsync(http).ConfigureAwait(false);
            }
        });

        var api = app.MapGroup("/api");
        api.MapGet("/pairs", async (CancellationToken ct) =>
        {
            var all = new List<PairView>();
            await foreach (var pair in context.Pairs.ListAsync(ct).ConfigureAwait(false))
            {
                all.Add(pair);
            }

            return Results.Json(all, Json);
        });
        api.MapPost("/pairs", async (HttpRequest request, CancellationToken ct) =>
        {
            var (body, problem) = await ReadAsync<PairRequest>(request, ct).ConfigureAwait(false);
            if (body is null)
            {
                return problem!;
            }

            var result = await context.Pairs.AddAsync(body, ct).ConfigureAwait(false);
            return result.Outcome == ServiceOutcome.Created
                ? new WithLocation(Results.Json(result.Value, Json, statusCode: 201), Url(context, "pairs/" + result.Value!.Name))
                : From(result);
        });
        api.MapGet("/pairs/{name}", async (string name, CancellationToken ct) => From(await context.Pairs.GetAsync(name, ct).ConfigureAwait(false)));
        api.MapDelete("/pairs/{name}", async (string name, CancellationToken ct) => From(await context.Pairs.RemoveAsync(name, ct).ConfigureAwait(false)));
        api.MapPost("/pairs/{name}/runs", async (string name, CancellationToken ct) =>
        {
            var result = await context.Runs.StartAsync(name, "http", markDirtyWhenBusy: false, ct).ConfigureAwait(false);
            if (result.Outcome == ServiceOutcome.Conflict && result.Value is { } busy)
            {
                return Problem(409, "run active", result.Problem!, new() { ["activeRunId"] = busy.Id, ["statusQueryGetUri"] = Url(context, "runs/" + busy.Id).ToString() });
            }

            if (!result.Succeeded)
            {
                return From(result);
            }

            var run = result.Value!;
            var status = Url(context, "runs/" + run.Id);
            return new WithLocation(Results.Json(
                new RunAccepted(run.Id, run.Pair, run.Kind, run.Message, status.ToString(), Url(context, $"runs/{run.Id}/terminate").ToString(), Url(context, $"runs/{run.Id}/events").ToString()),
                Json, statusCode: 202), status);
        });
        api.MapGet("/runs", async (string? pair, int? top, CancellationToken ct) =>
            From(await context.Runs.ListAsync(pair, Math.Clamp(top ?? 50, 1, 1000), ct).ConfigureAwait(false)));
        api.MapGet("/runs/{id}", async (string id, CancellationToken ct) => From(await context.Runs.GetStatusAsync(id, ct).ConfigureAwait(false)));
        api.MapPost("/runs/{id}/terminate", async (string id, CancellationToken ct) => From(await context.Runs.TerminateAsync(id, ct).ConfigureAwait(false)));
        api.MapGet("/runs/{id}/events", (HttpContext http, string id) => StreamEventsAsync(http, context, id));
        api.MapWebhooks(context);
        api.MapBlobEvents(context);
    }

    /// <summary>
    /// The run's status as Server-Sent Events: an event <c>status</c> whenever it changes (at most once a second), a
    /// comment every 15 s to keep proxies open, and an event <c>end</c> once the run has ended.
    /// </summary>
    private static async Task StreamEventsAsync(HttpContext http, ServeApiContext context, string id)
    {
        var ct = http.RequestAborted;
        var first = await context.Runs.GetStatusAsync(id, ct).ConfigureAwait(false);
        if (first.Value is null)
        {
            await From(first).ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        string? last = null;
        var quiet = 0;
        var status = first.Value;
        while (true)
        {
            var json = JsonSerializer.Serialize(status, Json);
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
                await http.Response.WriteAsync($"event: end\ndata: {JsonSerializer.Serialize(new { id, status.RuntimeStatus }, Json)}\n\n", Encoding.UTF8, ct).ConfigureAwait(false);
                return;
            }

            await Task.Delay(EventPoll, context.Time, ct).ConfigureAwait(false);
            status = (await context.Runs.GetStatusAsync(id, ct).ConfigureAwait(false)).Value ?? status;
        }
    }

    /// <summary>Reads a JSON body of at most <see cref="MaxBodyBytes"/>: the value, or the 400/413/415 to answer.</summary>
    private static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken ct)
        where T : class
    {
        if (request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Problem(415, "unsupported media type", "send application/json"));
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, Problem(413, "body too large", $"a request body holds at most {MaxBodyBytes} bytes"));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return (null, Problem(413, "body too large", $"a request body holds at most {MaxBodyBytes} bytes"));
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), Json);
            return value is null ? (null, Problem(400, "bad request", "the body is empty or null; send a JSON object")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, Problem(400, "bad request", "the body is not valid: " + (e.Path is { Length: > 1 } p ? $"{p}: " : "") + FirstLine(e.Message)));
        }
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n', '.']);
        return end > 0 ? message[..end] : message;
    }

    private static Uri Url(ServeApiContext context, string relative) => new(context.BaseUrl(), "api/" + relative);

    private static IResult From<T>(ServiceResult<T> result) => result.Outcome switch
    {
        ServiceOutcome.Ok => Results.Json(result.Value, Json),
        ServiceOutcome.Created => Results.Json(result.Value, Json, statusCode: 201),
        ServiceOutcome.Accepted => Results.Json(result.Value, Json, statusCode: 202),
        ServiceOutcome.NotFound => Problem(404, "not found", result.Problem!),
        ServiceOutcome.Conflict => Problem(409, "conflict", result.Problem!),
        _ => Problem(400, "bad request", result.Problem!),
    };

    private static IResult Problem(int status, string title, string detail, Dictionary<string, object?>? extensions = null) =>
        Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);

    /// <summary>The 202 body of a started run, Durable's field names where they exist.</summary>
    private sealed record RunAccepted(string Id, string Pair, string Kind, string? Message, string StatusQueryGetUri, string TerminatePostUri, string EventsUri);

    /// <summary>A result with a <c>Location</c> header.</summary>
    private sealed class WithLocation(IResult inner, Uri location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location.ToString();
            return inner.ExecuteAsync(httpContext);
        }
    }
}

internal static partial class ServeLogs
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "{Method} {Path} failed: {Kind}: {Error}")]
    public static partial void RequestFailed(ILogger logger, string method, string path, string kind, string error);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "serve: {Hosts} workers on task hub {TaskHub}, {Pairs} named pairs")]
    public static partial void Started(ILogger logger, int hosts, string taskHub, int pairs);
}
