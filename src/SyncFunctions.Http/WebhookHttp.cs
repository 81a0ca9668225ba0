using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Http;

/// <summary>
/// The webhook routes' HTTP side, shared by <c>serve</c> and the Functions app: the body read within the service's
/// own limit, handed to the host-neutral service, and its reply written as it is. No key: the services authenticate
/// by the validation handshake, each subscription's clientState, and Event Grid's handshake.
/// </summary>
public static class WebhookHttp
{
    /// <summary><c>POST /api/webhooks/graph</c>; 404 when <paramref name="hooks"/> is null (the host takes no notifications).</summary>
    public static async Task<IResult> GraphAsync(HttpContext http, GraphWebhookService? hooks)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (hooks is null)
        {
            return SyncHttp.Problem(404, "not found", "this host takes no Graph change notifications");
        }

        // A notification batch may exceed the API's body limit; one byte more than the service takes lets it say 413.
        RaiseLimit(http, GraphWebhookService.MaxBodyBytes + 1);
        if (await ReadAsync(http.Request, GraphWebhookService.MaxBodyBytes, http.RequestAborted).ConfigureAwait(false) is not { } body)
        {
            return SyncHttp.Problem(413, "body too large", $"a notification body holds at most {GraphWebhookService.MaxBodyBytes} bytes");
        }

        var reply = await hooks.HandleAsync(new WebhookRequest(http.Request.QueryString.Value, http.Request.ContentType, body), http.RequestAborted).ConfigureAwait(false);
        return new Reply(reply.Status, reply.ContentType, reply.Body.Length > 0 ? reply.Body : null, []);
    }

    /// <summary><c>POST|OPTIONS /api/webhooks/blob-events</c>; 404 when <paramref name="service"/> is null.</summary>
    public static async Task<IResult> BlobEventsAsync(HttpContext http, BlobEventsWebhookService? service)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (service is null)
        {
            return SyncHttp.Problem(404, "not found", "blob events are not served here");
        }

        // Event Grid batches reach 1 MB, more than the API's other bodies.
        RaiseLimit(http, BlobEventsWebhookService.MaxBodyBytes);
        if (await ReadAsync(http.Request, BlobEventsWebhookService.MaxBodyBytes, http.RequestAborted).ConfigureAwait(false) is not { } body ||
            body.Length > BlobEventsWebhookService.MaxBodyBytes)
        {
            return SyncHttp.Problem(413, "body too large", $"a request body holds at most {BlobEventsWebhookService.MaxBodyBytes} bytes");
        }

        var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var reply = await service.HandleAsync(new BlobEventsRequest(http.Request.Method, headers, body), http.RequestAborted).ConfigureAwait(false);
        return new Reply(reply.Status, reply.Body is null ? null : reply.ContentType ?? "application/json", reply.Body, reply.Headers);
    }

    private static void RaiseLimit(HttpContext http, long max)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max;
        }
    }

    /// <summary>Up to <paramref name="max"/> + 1 bytes of the body (so a caller sees "longer than max"); null when its declared length is over.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpRequest request, int max, CancellationToken ct)
    {
        if (request.ContentLength > max)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while (buffer.Length <= max && (read = await request.Body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, max + 1 - buffer.Length)), ct).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>A host-neutral reply written as it is.</summary>
    private sealed class Reply(int status, string? contentType, string? body, IEnumerable<KeyValuePair<string, string>> headers) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            foreach (var (name, value) in headers)
            {
                response.Headers[name] = value;
            }

            if (contentType is not null)
            {
                response.ContentType = contentType;
            }

            if (body is not null)
            {
                await response.WriteAsync(body, httpContext.RequestAborted).ConfigureAwait(false);
            }
        }
    }
}
