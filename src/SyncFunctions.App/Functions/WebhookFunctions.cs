using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using SyncFunctions.Http;

namespace SyncFunctions.App.Functions;

/// <summary>
/// The webhooks (anonymous: Graph authenticates by validation token and clientState, Event Grid by its handshake).
/// Their host-neutral services (<c>GraphWebhookService</c>, <c>BlobEventsWebhookService</c>) are not wired into the
/// app's composition yet: until they are, both answer 503 problem details "not configured", so a subscription cannot
/// be validated against an app that would drop its events.
/// </summary>
public sealed class WebhookFunctions
{
    [Function("GraphWebhook")]
    public IActionResult Graph([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/graph")] HttpRequest request) => NotConfigured("Graph change notifications");

    [Function("BlobEventsWebhook")]
    public IActionResult BlobEvents([HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = "webhooks/blob-events")] HttpRequest request) =>
        NotConfigured("Event Grid blob events");

    private static HttpEntry.ResultAction NotConfigured(string what) =>
        new(SyncHttp.Problem(503, "not configured", $"{what} are not handled by this build of the app yet"));
}
