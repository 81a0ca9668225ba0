using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using SyncFunctions.App.Composition;
using SyncFunctions.Http;

namespace SyncFunctions.App.Functions;

/// <summary>
/// The webhooks (anonymous: Graph authenticates by validation token and clientState, Event Grid by its handshake), on
/// the host-neutral services serve uses (<c>GraphWebhookService</c>, <c>BlobEventsWebhookService</c>) through the
/// shared HTTP side (<see cref="WebhookHttp"/>).
/// </summary>
public sealed class WebhookFunctions(AppHost app)
{
    [Function("GraphWebhook")]
    public Task<IActionResult> GraphAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/graph")] HttpRequest request, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        HttpEntry.RunAsync(app, request, s => WebhookHttp.GraphAsync(request.HttpContext, s.GraphWebhooks(client)), cancellationToken);

    [Function("BlobEventsWebhook")]
    public Task<IActionResult> BlobEventsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = "webhooks/blob-events")] HttpRequest request, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        HttpEntry.RunAsync(app, request, s => WebhookHttp.BlobEventsAsync(request.HttpContext, s.BlobEvents(client)), cancellationToken);
}
