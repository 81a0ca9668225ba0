using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
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
        api.MapPost("/webhooks/graph", (HttpContext http) => GraphWebhookAsync(http, context));

    private static async Task GraphWebhookAsync(HttpContext http, ServeApiContext context)
    {
        if (context.GraphWebhooks is not { } hooks)
        {
            await Problem(404, "not found", "this host takes no Graph change notifications").ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        // Notification batches may exceed the API's body limit; one byte more than the service takes lets it say 413.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = GraphWebhookService.MaxBodyBytes + 1;
        }

        var body = await ReadBoundedAsync(http.Request.Body, GraphWebhookService.MaxBodyBytes + 1, http.RequestAborted).ConfigureAwait(false);
        var response = await hooks.HandleAsync(new WebhookRequest(http.Request.QueryString.Value, http.Request.ContentType, body), http.RequestAborted).ConfigureAwait(false);
        http.Response.StatusCode = response.Status;
        http.Response.ContentType = response.ContentType;
        if (response.Body.Length > 0)
        {
            await http.Response.WriteAsync(response.Body, http.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>At most <paramref name="max"/> bytes of <paramref name="body"/> (a longer body is cut there).</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadBoundedAsync(Stream body, int max, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while (buffer.Length < max && (read = await body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, max - buffer.Length)), ct).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
