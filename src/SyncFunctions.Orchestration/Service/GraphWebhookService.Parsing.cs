using System.Text;
using System.Text.Json;

namespace SyncFunctions.Orchestration.Service;

/// <summary>The webhook's input: the validation token of the query string and the changeNotificationCollection.</summary>
public sealed partial class GraphWebhookService
{
    /// <summary>The longest subscription id taken (Graph's are GUIDs).</summary>
    private const int MaxSubscriptionIdLength = 128;

    /// <summary>The longest raw query string looked at.</summary>
    private const int MaxQueryLength = 8 * 1024;

    private static readonly JsonDocumentOptions JsonLimits = new() { MaxDepth = 16 };

    /// <summary>
    /// The decoded <c>validationToken</c> of <paramref name="query"/> (null when there is none), or why it cannot
    /// be echoed: empty, repeated, longer than <see cref="MaxValidationTokenLength"/>, or holding control characters.
    /// </summary>
    internal static (string? Token, string? Problem) ValidationToken(string? query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return (null, null);
        }

        if (query.Length > MaxQueryLength)
        {
            return (null, $"the query string is longer than {MaxQueryLength} characters");
        }

        string? token = null;
        foreach (var part in query.TrimStart('?').Split('&'))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(equals < 0 ? part : part[..equals]);
            if (name != "validationToken")
            {
                continue;
            }

            if (token is not null)
            {
                return (null, "the query string holds more than one validationToken");
            }

            token = equals < 0 ? "" : Decode(part[(equals + 1)..]);
        }

        return token switch
        {
            null => (null, null),
            { Length: 0 } => (null, "the validationToken is empty"),
            { Length: > MaxValidationTokenLength } => (null, $"the validationToken is longer than {MaxValidationTokenLength} characters"),
            _ when token.Any(char.IsControl) => (null, "the validationToken holds control characters"),
            _ => (token, null),
        };
    }

    /// <summary>The notifications of a changeNotificationCollection body, or why it is not one.</summary>
    internal static (IReadOnlyList<Notification>? Notifications, string? Problem) Parse(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, "the body is empty; send a changeNotificationCollection");
        }

        try
        {
            using var document = JsonDocument.Parse(body, JsonLimits);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Array)
            {
                return (null, "the body is not a changeNotificationCollection: an object with a 'value' array");
            }

            if (value.GetArrayLength() > MaxNotifications)
            {
                return (null, $"a request holds at most {MaxNotifications} notifications");
            }

            var notifications = new List<Notification>();
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                if (ParseOne(item, index++, out var problem) is not { } notification)
                {
                    return (null, problem);
                }

                notifications.Add(notification);
            }

            return (notifications, null);
        }
        catch (JsonException e)
        {
            var end = e.Message.IndexOfAny(['\r', '\n', '.']);
            return (null, "the body is not valid JSON: " + (end > 0 ? e.Message[..end] : e.Message));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Invalid UTF-8, or a string escape that is no UTF-16 (a lone surrogate).
            return (null, "the body is not valid JSON text: " + e.Message);
        }
    }

    private static Notification? ParseOne(JsonElement item, int index, out string? problem)
    {
        problem = null;
        if (item.ValueKind != JsonValueKind.Object)
        {
            problem = $"value[{index}] is not an object";
            return null;
        }

        var id = Text(item, "subscriptionId", index, ref problem);
        var clientState = Text(item, "clientState", index, ref problem);
        var lifecycleEvent = Text(item, "lifecycleEvent", index, ref problem);
        if (problem is not null)
        {
            return null;
        }

        if (id is not { Length: > 0 and <= MaxSubscriptionIdLength })
        {
            problem = $"value[{index}].subscriptionId must be a string of 1 to {MaxSubscriptionIdLength} characters";
            return null;
        }

        return new Notification(id, clientState, lifecycleEvent);
    }

    /// <summary>A string property, null when absent or null; a value of another type is a problem.</summary>
    private static string? Text(JsonElement item, string name, int index, ref string? problem)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            problem ??= $"value[{index}].{name} must be a string";
            return null;
        }

        return value.GetString();
    }

    /// <summary>Query-string decoding as browsers and Graph encode: '+' is a space, %XX a UTF-8 byte.</summary>
    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    private static string ProblemJson(int status, string title, string detail)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("title", title);
            json.WriteNumber("status", status);
            json.WriteString("detail", detail);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>One notification of a collection: its subscription, the secret it carries, and its lifecycle event (null: a change).</summary>
    internal sealed record Notification(string SubscriptionId, string? ClientState, string? LifecycleEvent);
}
