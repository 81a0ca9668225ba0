using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using SyncFunctions.Abstractions;
using SyncFunctions.Http;
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
    /// <summary>Preview, then apply (<c>/api/pairs/{name}/plan</c>, <c>/api/plans/{id}/apply</c>); null: those routes answer 404.</summary>
    public PlanService? Plans { get; init; }

    /// <summary>Event Grid blob events (<c>/api/webhooks/blob-events</c>); null: the route answers 404.</summary>
    public BlobEventsWebhookService? BlobEvents { get; init; }
}

/// <summary>
/// The HTTP API of <c>syncfn serve</c>, on the Functions app's routes (<c>/api/...</c>): named pairs, runs (start,
/// status in Durable's shape, terminate, list, a Server-Sent Events stream). The route bodies are the shared
/// <see cref="PairApi"/> and <see cref="RunApi"/> the Functions app calls too; this class adds what the Functions host
/// does there: the key check (a missing or wrong key gets 401) and the last line of error handling.
/// </summary>
public static partial class ServeApi
{
    /// <summary>Largest request body read.</summary>
    public const int MaxBodyBytes = SyncHttp.MaxBodyBytes;

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
                    await SyncHttp.Problem(401, "unauthorized", "a valid key is required: header x-functions-key or query parameter code").ExecuteAsync(http).ConfigureAwait(false);
                    return;
                }

                await next(http).ConfigureAwait(false);
            }
            catch (BadHttpRequestException e)
            {
                await SyncHttp.Problem(e.StatusCode, "bad request", e.Message).ExecuteAsync(http).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                // The client went away.
            }
            catch (StorageException e) when (!http.Response.HasStarted)
            {
                HttpLogs.RequestFailed(context.Log, http.Request.Method, http.Request.Path, e.Kind.ToString(), e.Message);
                await SyncHttp.Problem(503, "storage unavailable", e.Message).ExecuteAsync(http).ConfigureAwait(false);
            }
        });

        var urls = new ApiUrls(context.BaseUrl);
        var pairs = new PairApi(context.Pairs, urls, context.Log);
        var runs = new RunApi(context.Runs, urls, context.Time, context.Log);
        var api = app.MapGroup("/api");
        api.MapGet("/pairs", (HttpRequest request, CancellationToken ct) => pairs.ListAsync(request, ct));
        api.MapPost("/pairs", (HttpRequest request, CancellationToken ct) => pairs.AddAsync(request, ct));
        api.MapGet("/pairs/{name}", (HttpRequest request, string name, CancellationToken ct) => pairs.GetAsync(request, name, ct));
        api.MapDelete("/pairs/{name}", (HttpRequest request, string name, CancellationToken ct) => pairs.RemoveAsync(request, name, ct));
        api.MapPost("/pairs/{name}/runs", (HttpRequest request, string name, CancellationToken ct) => runs.StartAsync(request, name, ct));
        if (context.Plans is { } planService)
        {
            var plans = new PlanApi(planService, urls, context.Log);
            api.MapPost("/pairs/{name}/plan", (HttpRequest request, string name, CancellationToken ct) => plans.PreviewAsync(request, name, ct));
            api.MapPost("/plans/{id}/apply", (HttpRequest request, string id, CancellationToken ct) => plans.ApplyAsync(request, id, ct));
        }

        api.MapGet("/runs", (HttpRequest request, CancellationToken ct) => runs.ListAsync(request, ct));
        api.MapGet("/runs/{id}", (HttpRequest request, string id, CancellationToken ct) => runs.GetAsync(request, id, ct));
        api.MapPost("/runs/{id}/terminate", (HttpRequest request, string id, CancellationToken ct) => runs.TerminateAsync(request, id, ct));
        api.MapGet("/runs/{id}/events", (HttpContext http, string id) => runs.StreamEventsAsync(http, id));
        api.MapWebhooks(context);
        api.MapBlobEvents(context);
    }

    /// <summary>A problem-details answer (the webhook routes' shorthand for <see cref="SyncHttp.Problem"/>).</summary>
    private static IResult Problem(int status, string title, string detail, Dictionary<string, object?>? extensions = null) =>
        SyncHttp.Problem(status, title, detail, extensions);
}

internal static partial class ServeLogs
{
    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "serve: {Hosts} workers on task hub {TaskHub}, {Pairs} named pairs")]
    public static partial void Started(ILogger logger, int hosts, string taskHub, int pairs);
}
