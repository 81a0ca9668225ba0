using System.Text.Json;

namespace SyncFunctions.Tests.Fakes;

/// <summary>Event bodies as Event Grid delivers them for a storage account: Event Grid schema and CloudEvents 1.0.</summary>
public static class EventGridJson
{
    public const string Created = "Microsoft.Storage.BlobCreated";
    public const string Deleted = "Microsoft.Storage.BlobDeleted";

    private const string Topic = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/devstoreaccount1";

    /// <summary>An Event Grid schema batch (always an array) of blob events: (event type, blob URL, container, blob name).</summary>
    public static string EventGridBatch(params (string Type, string Url, string Container, string Blob)[] events) =>
        JsonSerializer.Serialize(events.Select((e, i) => new Dictionary<string, object?>
        {
            ["topic"] = Topic,
            ["subject"] = $"/blobServices/default/containers/{e.Container}/blobs/{e.Blob}",
            ["eventType"] = e.Type,
            ["eventTime"] = "2026-03-04T05:06:07.1234567Z",
            ["id"] = $"831e1650-001e-001b-66ab-eeb76e06{i:D4}",
            ["data"] = Data(e.Type, e.Url),
            ["dataVersion"] = "",
            ["metadataVersion"] = "1",
        }));

    /// <summary>CloudEvents 1.0 blob events: a batch (application/cloudevents-batch+json) or, for one, a single event.</summary>
    public static string CloudEvents(bool batch, params (string Type, string Url, string Container, string Blob)[] events)
    {
        var all = events.Select((e, i) => new Dictionary<string, object?>
        {
            ["source"] = Topic,
            ["subject"] = $"/blobServices/default/containers/{e.Container}/blobs/{e.Blob}",
            ["type"] = e.Type,
            ["time"] = "2026-03-04T05:06:07.1234567Z",
            ["id"] = $"9aeb0fdf-c01e-0131-0922-9eb5490{i:D5}",
            ["data"] = Data(e.Type, e.Url),
            ["specversion"] = "1.0",
        }).ToList();
        return batch ? JsonSerializer.Serialize(all) : JsonSerializer.Serialize(all.Single());
    }

    /// <summary>The subscription validation event Event Grid sends when a subscription is created (Event Grid schema).</summary>
    public static string Validation(string code) => JsonSerializer.Serialize(new[]
    {
        new Dictionary<string, object?>
        {
            ["id"] = "2d1781af-3a4c-4d7c-bd0c-e34b19da4e66",
            ["topic"] = Topic,
            ["subject"] = "",
            ["data"] = new Dictionary<string, object?>
            {
                ["validationCode"] = code,
                ["validationUrl"] = "https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/sub/validate?id=" + code + "&t=2026-03-04T05:06:07.0000000Z&apiVersion=2018-05-01-preview&token=secret-token",
            },
            ["eventType"] = "Microsoft.EventGrid.SubscriptionValidationEvent",
            ["eventTime"] = "2026-03-04T05:06:07.1234567Z",
            ["metadataVersion"] = "1",
            ["dataVersion"] = "1",
        },
    });

    private static Dictionary<string, object?> Data(string type, string url) => type == Deleted
        ? new()
        {
            ["api"] = "DeleteBlob",
            ["clientRequestId"] = "6d79dbfb-0e37-4fc4-981f-442c9ca65760",
            ["requestId"] = "831e1650-001e-001b-66ab-eeb76e000000",
            ["contentType"] = "text/plain",
            ["blobType"] = "BlockBlob",
            ["url"] = url,
            ["sequencer"] = "0000000000000281000000000002F5CA",
            ["storageDiagnostics"] = new Dictionary<string, object?> { ["batchId"] = "b68529f3-68cd-4744-baa4-3c0498ec19f0" },
        }
        : new()
        {
            ["api"] = "PutBlob",
            ["clientRequestId"] = "6d79dbfb-0e37-4fc4-981f-442c9ca65760",
            ["requestId"] = "831e1650-001e-001b-66ab-eeb76e000000",
            ["eTag"] = "\"0x8D4BCC2E4835CD0\"",
            ["contentType"] = "text/plain",
            ["contentLength"] = 524288,
            ["blobType"] = "BlockBlob",
            ["url"] = url,
            ["sequencer"] = "00000000000004420000000000028963",
            ["storageDiagnostics"] = new Dictionary<string, object?> { ["batchId"] = "b68529f3-68cd-4744-baa4-3c0498ec19f0" },
        };
}
