using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SyncFunctions.Http;

namespace SyncFunctions.Serve;

/// <summary><c>POST|OPTIONS /api/webhooks/blob-events</c>: Event Grid blob events (no API key: the handshake authenticates).</summary>
public static partial class ServeApi
{
    private static void MapBlobEvents(this RouteGroupBuilder api, ServeApiContext context) =>
        api.MapMethods("/webhooks/blob-events", ["POST", "OPTIONS"], (Delegate)((HttpContext http) => WebhookHttp.BlobEventsAsync(http, context.BlobEvents)));
}
