using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using SyncFunctions.Azure;
using SyncFunctions.IntegrationTests.Cli;
using SyncFunctions.IntegrationTests.Infrastructure;
using static SyncFunctions.Tests.Fakes.EventGridJson;

namespace SyncFunctions.IntegrationTests.Serve;

/// <summary>
/// Event Grid blob events posted to <c>syncfn serve</c> (a child process on the test Azurite) for blobs written to
/// Azurite, as Event Grid sends them, in both schemas: each run checks only the reported paths.
/// </summary>
[Collection("azurite")]
public sealed class ServeBlobEventsTests(AzuriteFixture azurite) : CliTestBase(azurite)
{
    private const string Key = "test-key-blob-events";

    [Fact]
    public async Task Serve_BlobEventsInBothSchemas_RunsCheckOnlyThosePathsAndTheDestinationFollows()
    {
        var (source, destination) = (NewContainer("evsrc"), NewContainer("evdst"));
        var blobs = Container(source);
        await blobs.CreateAsync();
        for (var i = 0; i < 12; i++)
        {
            await blobs.UploadBlobAsync($"d{i % 3}/f{i}.txt", BinaryData.FromString($"v1 {i}"));
        }

        await using var serve = CliRunner.Start(Home.Root, ["serve", "--port", "0", "--task-hub", "h" + Guid.NewGuid().ToString("N")[..12], "--storage", Storage], environment: new Dictionary<string, string?> { ["SYNCFN_API_KEY"] = Key });
        var line = await serve.WaitForStdoutAsync(l => l.StartsWith("serve listening on ", StringComparison.Ordinal));
        var baseUrl = new Uri(line["serve listening on ".Length..] + "/");
        using var http = new HttpClient { BaseAddress = baseUrl, DefaultRequestHeaders = { { "x-functions-key", Key } } };
        using var eventGrid = new HttpClient { BaseAddress = baseUrl }; // webhooks carry no key
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("api/pairs", Json(new { name = "events", source = "blob:" + source, destination = "blob:" + destination }))).StatusCode);
        var pairId = (await http.GetFromJsonAsync<JsonElement>("api/pairs/events")).GetProperty("pairId").GetString()!;
        using var full = await http.PostAsync("api/pairs/events/runs", null);
        Assert.Equal("Completed", await WaitForEndAsync(http, (await full.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!));
        var ledger = TableLedger.Create(Azurite.Connect());

        // The handshakes: CloudEvents abuse protection (OPTIONS), then Event Grid's subscription validation.
        using var options = new HttpRequestMessage(HttpMethod.Options, "api/webhooks/blob-events") { Headers = { { "WebHook-Request-Origin", "eventgrid.azure.net" } } };
        using var handshake = await eventGrid.SendAsync(options);
        Assert.Equal(HttpStatusCode.OK, handshake.StatusCode);
        Assert.Equal("eventgrid.azure.net", handshake.Headers.GetValues("WebHook-Allowed-Origin").Single());
        Assert.Equal("*", handshake.Headers.GetValues("WebHook-Allowed-Rate").Single());
        using var validation = await eventGrid.PostAsync("api/webhooks/blob-events", Body(Validation("code-123"), "application/json"));
        Assert.Equal("code-123", (await validation.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("validationResponse").GetString());

        // Event Grid schema: one changed, one new, one deleted blob; another changed blob is not reported.
        var account = new BlobServiceClient(Storage).Uri.ToString().TrimEnd('/');
        await blobs.GetBlobClient("d1/f1.txt").UploadAsync(BinaryData.FromString("v2"), overwrite: true);
        await blobs.UploadBlobAsync("new dir/n ü.txt", BinaryData.FromString("new"));
        await blobs.DeleteBlobAsync("d2/f2.txt");
        await blobs.GetBlobClient("d0/f3.txt").UploadAsync(BinaryData.FromString("not reported"), overwrite: true);
        var first = await PostEventsAsync(eventGrid, "application/json", EventGridBatch(
            (Created, $"{account}/{source}/d1/f1.txt", source, "d1/f1.txt"),
            (Created, $"{account}/{source}/new%20dir/n%20%C3%BC.txt", source, "new dir/n ü.txt"),
            (Deleted, $"{account}/{source}/d2/f2.txt", source, "d2/f2.txt")));
        Assert.Equal("Completed", await WaitForEndAsync(http, first));
        var run = await ledger.GetRunAsync(pairId, first, default);
        Assert.True(run is { Status: Abstractions.RunStatus.Succeeded, Trigger: "blob-event", PlansChangedPaths: true, ChangedPathCount: 3, TotalActions: 3, ListedCount: 12 }, $"{run}");
        var destinationNow = await BlobSnapshotAsync(destination);
        var sourceNow = await BlobSnapshotAsync(source);
        Assert.Equal(sourceNow.Where(kv => kv.Key != "d0/f3.txt"), destinationNow.Where(kv => kv.Key != "d0/f3.txt"));
        Assert.NotEqual(sourceNow["d0/f3.txt"], destinationNow["d0/f3.txt"]);
        Assert.Empty(await ledger.ListChangedPathsAsync(pairId, default).ToListAsync());

        // CloudEvents 1.0 batch.
        await blobs.GetBlobClient("d0/f3.txt").UploadAsync(BinaryData.FromString("now reported"), overwrite: true);
        var second = await PostEventsAsync(eventGrid, "application/cloudevents-batch+json", CloudEvents(true, (Created, $"{account}/{source}/d0/f3.txt", source, "d0/f3.txt")));
        Assert.Equal("Completed", await WaitForEndAsync(http, second));
        Assert.True(await ledger.GetRunAsync(pairId, second, default) is { PlansChangedPaths: true, ChangedPathCount: 1, TotalActions: 1 });
        Assert.Equal(await BlobSnapshotAsync(source), await BlobSnapshotAsync(destination));

        // Bad input: 400 problem, nothing staged.
        using var bad = await eventGrid.PostAsync("api/webhooks/blob-events", Body("[{\"eventType\":", "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await ledger.ListChangedPathsAsync(pairId, default).ToListAsync());

        serve.Signal(15);
        var exit = await serve.WaitForExitAsync();
        Assert.True(exit.ExitCode == 0, exit.ToString());
    }

    /// <summary>Posts events; returns the id of the one run they started.</summary>
    private static async Task<string> PostEventsAsync(HttpClient eventGrid, string contentType, string body)
    {
        using var response = await eventGrid.PostAsync("api/webhooks/blob-events", Body(body, contentType));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var run = Assert.Single(JsonDocument.Parse(text).RootElement.GetProperty("runs").EnumerateArray());
        Assert.Equal("started", run.GetProperty("kind").GetString());
        return run.GetProperty("id").GetString()!;
    }

    /// <summary>Follows the run's event stream to its end; returns its last runtime status.</summary>
    private static async Task<string> WaitForEndAsync(HttpClient http, string runId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var response = await http.GetAsync($"api/runs/{runId}/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        string? last = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal) && JsonDocument.Parse(line["data: ".Length..]).RootElement.TryGetProperty("runtimeStatus", out var status))
            {
                last = status.GetString();
            }
        }

        return last ?? "none";
    }

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static StringContent Body(string text, string contentType)
    {
        var content = new StringContent(text, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType) { CharSet = "utf-8" };
        return content;
    }
}
