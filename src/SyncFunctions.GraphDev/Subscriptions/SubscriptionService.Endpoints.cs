using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SyncFunctions.GraphDev.Http;

namespace SyncFunctions.GraphDev.Subscriptions;

/// <summary>The /subscriptions endpoints.</summary>
internal sealed partial class SubscriptionService
{
    /// <summary>Serves /v1.0/subscriptions{rest}: "", "/{id}" or "/{id}/reauthorize".</summary>
    public async Task HandleAsync(HttpContext context, string rest)
    {
        var parts = rest.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = context.Request.Method.ToUpperInvariant();
        switch (parts.Length, method)
        {
            case (0, "POST"):
                await CreateAsync(context).ConfigureAwait(false);
                break;
            case (0, "GET"):
                var all = _subscriptions.Values.Where(s => s.Expiration > Time.GetUtcNow()).ToList();
                await JsonShapes.WriteJsonAsync(context, 200, w =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("value");
                    all.ForEach(s => WriteSubscription(w, s));
                    w.WriteEndArray();
                    w.WriteEndObject();
                }).ConfigureAwait(false);
                break;
            case (1, "GET"):
                var found = Find(parts[0]);
                await JsonShapes.WriteJsonAsync(context, 200, w => WriteSubscription(w, found)).ConfigureAwait(false);
                break;
            case (1, "PATCH"):
                await RenewAsync(context, Find(parts[0])).ConfigureAwait(false);
                break;
            case (1, "DELETE"):
                _subscriptions.TryRemove(Find(parts[0]).Id, out _);
                context.Response.StatusCode = 204;
                break;
            case (2, "POST") when parts[1] == "reauthorize":
                _ = Find(parts[0]);
                context.Response.StatusCode = 204;
                break;
            default:
                throw new GraphDevException(400, "BadRequest", $"Unsupported subscription request: {method} {rest}");
        }
    }

    private Subscription Find(string id) =>
        _subscriptions.TryGetValue(id, out var subscription) && subscription.Expiration > Time.GetUtcNow()
            ? subscription
            : throw new GraphDevException(404, "ResourceNotFound", $"The subscription '{id}' was not found.");

    private async Task CreateAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        var root = body.RootElement;
        var changeType = Text(root, "changeType");
        var resource = Text(root, "resource") ?? "";
        var notificationUrl = Text(root, "notificationUrl");
        var lifecycleUrl = Text(root, "lifecycleNotificationUrl");
        var clientState = Text(root, "clientState");
        if (changeType != "updated")
        {
            throw Invalid("Drive root subscriptions support only changeType 'updated'.");
        }

        if (!IsDriveRoot(resource))
        {
            throw Invalid($"The resource '{resource}' is not supported.");
        }

        if (!IsLoopback(notificationUrl) || (lifecycleUrl is not null && !IsLoopback(lifecycleUrl)))
        {
            throw Invalid("The dev server only notifies loopback URLs (127.0.0.1, ::1, localhost).");
        }

        if (clientState is { Length: > 128 })
        {
            throw Invalid("clientState must be at most 128 characters.");
        }

        var expiration = Expiration(root);
        await ValidateEndpointAsync(notificationUrl!).ConfigureAwait(false);
        if (lifecycleUrl is not null)
        {
            await ValidateEndpointAsync(lifecycleUrl).ConfigureAwait(false);
        }

        var subscription = new Subscription
        {
            Id = Guid.NewGuid().ToString(),
            Resource = resource,
            NotificationUrl = notificationUrl!,
            LifecycleNotificationUrl = lifecycleUrl,
            ClientState = clientState,
            Expiration = expiration,
        };
        _subscriptions[subscription.Id] = subscription;
        await JsonShapes.WriteJsonAsync(context, 201, w => WriteSubscription(w, subscription)).ConfigureAwait(false);
    }

    private async Task RenewAsync(HttpContext context, Subscription subscription)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        subscription.Expiration = Expiration(body.RootElement);
        await JsonShapes.WriteJsonAsync(context, 200, w => WriteSubscription(w, subscription)).ConfigureAwait(false);
    }

    /// <summary>
    /// The handshake: POST {url}?validationToken=… and expect 200 with the decoded token as plain text
    /// within the validation timeout; otherwise the create fails with 400, as on Graph.
    /// </summary>
    private async Task ValidateEndpointAsync(string url)
    {
        var token = $"Validation: Testing client application reachability for subscription Request-Id: {Guid.NewGuid()}";
        var separator = url.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        using var timeout = new CancellationTokenSource(_options.ValidationTimeout, Time);
        try
        {
            using var content = new StringContent("", System.Text.Encoding.UTF8, "text/plain");
            var target = new Uri($"{url}{separator}validationToken={Uri.EscapeDataString(token)}");
            using var response = await _http.PostAsync(target, content, timeout.Token).ConfigureAwait(false);
            var echoed = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            if (response.StatusCode == System.Net.HttpStatusCode.OK && echoed == token)
            {
                return;
            }

            throw Invalid($"Subscription validation request failed. Response must exactly match validationToken query parameter (got {(int)response.StatusCode}).");
        }
        catch (Exception error) when (error is HttpRequestException or OperationCanceledException)
        {
            throw Invalid($"Subscription validation request failed: {error.Message}");
        }
    }

    private DateTimeOffset Expiration(JsonElement root)
    {
        if (Text(root, "expirationDateTime") is not { } text ||
            !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiration))
        {
            throw Invalid("expirationDateTime is required.");
        }

        var now = Time.GetUtcNow();
        if (expiration <= now)
        {
            throw Invalid("Subscription expiration must be in the future.");
        }

        if (expiration > now + MaxLifetime)
        {
            throw Invalid($"Subscription expiration can only be {MaxLifetime.TotalMinutes} minutes in the future.");
        }

        return expiration;
    }

    private bool IsDriveRoot(string resource)
    {
        var r = resource.Trim('/');
        if (r is "me/drive/root" or "drive/root" || r == $"drives/{_drive.DriveId}/root")
        {
            return true;
        }

        var parts = r.Split('/');
        return parts.Length == 4 && parts[0] is "users" or "sites" or "groups" && parts[2] == "drive" && parts[3] == "root";
    }

    private void WriteSubscription(Utf8JsonWriter w, Subscription s)
    {
        w.WriteStartObject();
        w.WriteString("@odata.context", $"{ApiBase}/$metadata#subscriptions/$entity");
        w.WriteString("id", s.Id);
        w.WriteString("resource", s.Resource);
        w.WriteString("applicationId", "00000000-0000-0000-0000-000000000000");
        w.WriteString("changeType", "updated");
        if (s.ClientState is not null)
        {
            w.WriteString("clientState", s.ClientState);
        }

        w.WriteString("notificationUrl", s.NotificationUrl);
        if (s.LifecycleNotificationUrl is not null)
        {
            w.WriteString("lifecycleNotificationUrl", s.LifecycleNotificationUrl);
        }

        w.WriteString("expirationDateTime", s.Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        w.WriteString("creatorId", "00000000-0000-0000-0000-000000000000");
        w.WriteBoolean("includeResourceData", false);
        w.WriteString("latestSupportedTlsVersion", "v1_2");
        w.WriteEndObject();
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static GraphDevException Invalid(string message) => new(400, "InvalidRequest", message);
}
