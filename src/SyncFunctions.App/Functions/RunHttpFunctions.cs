using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using SyncFunctions.App.Composition;

namespace SyncFunctions.App.Functions;

/// <summary>The run routes (<c>/api/pairs/{name}/runs</c>, <c>/api/runs...</c>) over the invocation's Durable client.</summary>
public sealed class RunHttpFunctions(AppHost app)
{
    /// <summary>
    /// How long one event stream lasts: under host.json's functionTimeout (10 min), after which the stream stops
    /// without <c>end</c> and an EventSource client reconnects.
    /// </summary>
    public static readonly TimeSpan MaxEventStream = TimeSpan.FromMinutes(8);

    [Function("RunsStart")]
    public Task<IActionResult> StartAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "pairs/{name}/runs")] HttpRequest request, string name, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        HttpEntry.RunAsync(app, request, s => s.RunApi(request, client).StartAsync(request, name, cancellationToken), cancellationToken);

    [Function("RunsList")]
    public Task<IActionResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "runs")] HttpRequest request, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        HttpEntry.RunAsync(app, request, s => s.RunApi(request, client).ListAsync(request, cancellationToken), cancellationToken);

    [Function("RunsStatus")]
    public Task<IActionResult> StatusAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "runs/{id}")] HttpRequest request, string id, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        HttpEntry.RunAsync(app, request, s => s.RunApi(request, client).GetAsync(request, id, cancellationToken), cancellationToken);

    [Function("RunsTerminate")]
    public Task<IActionResult> TerminateAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "runs/{id}/terminate")] HttpRequest request, string id, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        HttpEntry.RunAsync(app, request, s => s.RunApi(request, client).TerminateAsync(request, id, cancellationToken), cancellationToken);

    [Function("RunsEvents")]
    public Task<IActionResult> EventsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "runs/{id}/events")] HttpRequest request, string id, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        HttpEntry.RunAsync(app, request, async s =>
        {
            await s.RunApi(request, client).StreamEventsAsync(request.HttpContext, id, MaxEventStream).ConfigureAwait(false);
            return Results.Empty;
        }, cancellationToken);
}
