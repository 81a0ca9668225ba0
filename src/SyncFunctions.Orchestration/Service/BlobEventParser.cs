using System.Text.Json;
using Azure.Messaging;
using Azure.Messaging.EventGrid;
using Azure.Messaging.EventGrid.SystemEvents;

namespace SyncFunctions.Orchestration.Service;

/// <summary>What a body of events holds: a problem (bad input), a validation code, or the blobs its blob events name.</summary>
/// <param name="Problem">Why the body is not events (then nothing else is set).</param>
/// <param name="ValidationCode">An Event Grid subscription validation's code, to echo.</param>
/// <param name="Blobs">The canonical blob forms (<see cref="BlobEventUrls"/>) of its BlobCreated / BlobDeleted events.</param>
internal sealed record ParsedEvents(string? Problem, string? ValidationCode, IReadOnlyList<string> Blobs);

/// <summary>
/// Reads Event Grid schema (an array of events, or one) and CloudEvents 1.0 (a batch array, or one event) with the
/// Event Grid SDK; the schema is told by the events' own fields (<c>specversion</c> is CloudEvents), since content
/// types vary between senders. Never throws for any body.
/// </summary>
internal static class BlobEventParser
{
    private const string Created = "Microsoft.Storage.BlobCreated";
    private const string Deleted = "Microsoft.Storage.BlobDeleted";
    private const string Validation = "Microsoft.EventGrid.SubscriptionValidationEvent";

    public static ParsedEvents Parse(ReadOnlyMemory<byte> body, IReadOnlyList<BlobAccountAlias> accounts)
    {
        if (body.IsEmpty)
        {
            return Bad("the body is empty");
        }

        bool cloudEvents;
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
            var root = document.RootElement;
            var events = root.ValueKind == JsonValueKind.Array ? [.. root.EnumerateArray()] : new[] { root };
            if (events.Length == 0 || events.Any(e => e.ValueKind != JsonValueKind.Object))
            {
                return Bad("the body is not an event or a non-empty array of events");
            }

            var kinds = events.Select(e => e.TryGetProperty("specversion", out _)).Distinct().ToList();
            if (kinds.Count > 1)
            {
                return Bad("the body mixes CloudEvents and Event Grid events");
            }

            cloudEvents = kinds[0];
        }
        catch (JsonException e)
        {
            return Bad("the body is not valid JSON: " + FirstLine(e.Message));
        }

        try
        {
            return cloudEvents ? FromCloudEvents(CloudEvent.ParseMany(BinaryData.FromBytes(body)), accounts) : FromEventGrid(EventGridEvent.ParseMany(BinaryData.FromBytes(body)), accounts);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The SDK refuses events without their required fields (id, type, subject, data version, ...).
            return Bad($"the events are not valid {(cloudEvents ? "CloudEvents 1.0" : "Event Grid")} events: {FirstLine(e.Message)}");
        }
    }

    private static ParsedEvents FromEventGrid(EventGridEvent[] events, IReadOnlyList<BlobAccountAlias> accounts)
    {
        var blobs = new List<string>();
        foreach (var e in events)
        {
            if (Classify(e.EventType, () => e.TryGetSystemEventData(out var data) ? data : null, accounts, blobs) is { } outcome)
            {
                return outcome;
            }
        }

        return new ParsedEvents(null, null, blobs);
    }

    private static ParsedEvents FromCloudEvents(CloudEvent[] events, IReadOnlyList<BlobAccountAlias> accounts)
    {
        var blobs = new List<string>();
        foreach (var e in events)
        {
            if (Classify(e.Type, () => e.TryGetSystemEventData(out var data) ? data : null, accounts, blobs) is { } outcome)
            {
                return outcome;
            }
        }

        return new ParsedEvents(null, null, blobs);
    }

    /// <summary>Adds a blob event's blob; returns a result that ends the parse (bad input, or a validation to answer).</summary>
    private static ParsedEvents? Classify(string? type, Func<object?> data, IReadOnlyList<BlobAccountAlias> accounts, List<string> blobs)
    {
        if (type is not (Created or Deleted or Validation))
        {
            return null; // another event type: not ours to act on
        }

        object? payload;
        try
        {
            payload = data();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Bad($"a {type} event's data is not valid: {FirstLine(e.Message)}");
        }

        var url = payload switch
        {
            SubscriptionValidationEventData v => v.ValidationCode is { Length: > 0 and <= 1024 } code ? null : "",
            StorageBlobCreatedEventData c => c.Url,
            StorageBlobDeletedEventData d => d.Url,
            _ => "",
        };
        if (payload is SubscriptionValidationEventData validation && url is null)
        {
            return new ParsedEvents(null, validation.ValidationCode, []);
        }

        if (payload is SubscriptionValidationEventData)
        {
            return Bad("a subscription validation event without a validationCode of at most 1024 characters");
        }

        var blob = BlobEventUrls.Canonical(url, accounts, out var problem);
        if (blob is null)
        {
            return Bad($"a {type} event: {problem}");
        }

        blobs.Add(blob);
        return null;
    }

    private static ParsedEvents Bad(string problem) => new(problem, null, []);

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end > 0 ? message[..end] : message;
    }
}
