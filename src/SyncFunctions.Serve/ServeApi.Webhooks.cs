using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SyncFunctions.Http;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Serve;

/// <summary>The webhook services the routes of <see cref="ServeApi"/> hand their requests to.</summary>
public sealed partial record ServeApiContext
{
    /// <summary>Graph change notifications (<c>POST /api/webhooks/graph</c>); null: the route answers 404.</summary>
    public GraphWebhookService? GraphWebhooks { get; init; }
}

/// <summary>
/// The webhook routes: no API key (the middleware lets <c>/api/webhooks</c> through); they authenticate by the
/// validation handshake and each subscription's clientState, in the host-neutral services.
/// </summary>
public static partial class ServeApi
{
    private static void MapWebhooks(this RouteGroupBuilder api, ServeApiContext context) =>
        api.MapPost("/webhooks/graph", (Delegate)((HttpContext http) => WebhookHttp.GraphAsync(http, context.GraphWebhooks)));
}
