using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Serve;

/// <summary><c>POST|OPTIONS /api/webhooks/blob-events</c>: Event Grid blob events (no API key: the handshake authenticates).</summary>
public static partial class ServeApi
{
    private static void MapBlobEvents(this RouteGroupBuilder api, ServeApiContext context) =>
        api.MapMethods("/webhooks/blob-events", ["POST", "OPTIONS"], async (HttpContext http) =>
        {
            if (context.BlobEvents is not { } service)
            {
                return Problem(404, "not found", "blob events are not served here");
            }

            // Event Grid batches reach 1 MB, more than the API's other bodies.
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = BlobEventsWebhookService.MaxBodyBytes;
            }

            var body = await ReadBoundedAsync(http.Request, BlobEventsWebhookService.MaxBodyBytes, http.RequestAborted).ConfigureAwait(false);
            if (body is null)
            {
                return Problem(413, "body too large", $"a request body holds at most {BlobEventsWebhookService.MaxBodyBytes} bytes");
            }

            var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var reply = await service.HandleAsync(new BlobEventsRequest(http.Request.Method, headers, body.Value), http.RequestAborted).ConfigureAwait(false);
            return new Reply(reply);
        });

    /// <summary>The body, or null when it is longer than <paramref name="max"/>.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBoundedAsync(HttpRequest request, int max, CancellationToken ct)
    {
        if (request.ContentLength > max)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>A host-neutral reply written as it is.</summary>
    private sealed class Reply(BlobEventsReply reply) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = reply.Status;
            foreach (var (name, value) in reply.Headers)
            {
                response.Headers[name] = value;
            }

            if (reply.Body is { } body)
            {
                response.ContentType = reply.ContentType ?? "application/json";
                await response.WriteAsync(body, httpContext.RequestAborted).ConfigureAwait(false);
            }
        }
    }
}
