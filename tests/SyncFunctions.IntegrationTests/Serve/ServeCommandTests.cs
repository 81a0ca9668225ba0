using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SyncFunctions.IntegrationTests.Cli;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Serve;

/// <summary><c>syncfn serve</c> as a child process on the test Azurite, driven over its HTTP API as a client would.</summary>
[Collection("azurite")]
public sealed partial class ServeCommandTests(AzuriteFixture azurite) : CliTestBase(azurite)
{
    private const string Key = ServeProcess.Key;

    [Fact]
    public async Task Serve_PairAddedAndRunStartedOverHttp_RunCompletesAndDestinationEqualsSource()
    {
        var source = NewTree("serve-src");
        for (var i = 0; i < 25; i++)
        {
            source.Write($"d{i % 3}/f{i}.bin", TestTree.RandomBytes(500 + (i * 311), i));
        }

        source.Write("big.bin", TestTree.RandomBytes((3 * 1024 * 1024) + 5, 99));
        var container = NewContainer("serve");
        await using var serve = StartServe();
        var (http, baseUrl) = await ConnectAsync(serve);

        using var created = await http.PostAsync("api/pairs", Body(new { name = "docs", source = source.Root, destination = "blob:" + container, options = new { chunkSize = 1024 * 1024 } }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(new Uri(baseUrl, "api/pairs/docs"), created.Headers.Location);

        using var started = await http.PostAsync("api/pairs/docs/runs", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var accepted = await started.Content.ReadFromJsonAsync<JsonElement>();
        var runId = accepted.GetProperty("id").GetString()!;
        Assert.Equal(new Uri(baseUrl, "api/runs/" + runId), started.Headers.Location);
        Assert.Equal(started.Headers.Location!.ToString(), accepted.GetProperty("statusQueryGetUri").GetString());
        Assert.EndsWith($"/api/runs/{runId}/terminate", accepted.GetProperty("terminatePostUri").GetString(), StringComparison.Ordinal);

        var events = await ReadEventsAsync(http, runId);
        Assert.Equal("end", events[^1].Event);
        var last = events.Last(e => e.Event == "status").Data;
        Assert.Equal("Completed", last.GetProperty("runtimeStatus").GetString());
        Assert.Equal("Succeeded", last.GetProperty("customStatus").GetProperty("status").GetString());
        Assert.Equal(26, last.GetProperty("customStatus").GetProperty("files").GetInt64());
        Assert.True(last.GetProperty("customStatus").GetProperty("activities").GetInt64() >= 4, last.ToString());
        Assert.Equal(source.Snapshot(), await BlobSnapshotAsync(container));

        var status = await http.GetFromJsonAsync<JsonElement>("api/runs/" + runId);
        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
        Assert.Equal("succeeded", status.GetProperty("output").GetProperty("status").GetString());
        var runs = await http.GetFromJsonAsync<JsonElement>("api/runs?pair=docs");
        Assert.Equal([runId], runs.EnumerateArray().Select(r => r.GetProperty("id").GetString()));

        serve.Signal(15);
        var exit = await serve.WaitForExitAsync();
        Assert.True(exit.ExitCode == 0, exit.ToString());
    }

    [Fact]
    public async Task Serve_Requests_KeyRequiredAndBadInputGets4xxProblems()
    {
        var source = NewTree("serve-bad");
        source.Write("a.txt", "a");
        await using var serve = StartServe();
        var (http, baseUrl) = await ConnectAsync(serve);
        using var anonymous = new HttpClient { BaseAddress = baseUrl };

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/pairs")).StatusCode);
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "api/pairs") { Headers = { { "x-functions-key", Key + "x" } } })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(wrong)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("api/pairs?code=" + Key)).StatusCode);

        var container = NewContainer("bad");
        (string Body, string Expected)[] bad =
        [
            ("{", "not valid"),
            ("null", "empty or null"),
            ("{\"name\":\"x\",\"source\":\"" + Json(source.Root) + "\",\"destination\":\"blob:" + container + "\",\"surprise\":1}", "surprise"),
            ("{\"name\":\"../etc\",\"source\":\"" + Json(source.Root) + "\",\"destination\":\"blob:" + container + "\"}", "name"),
            ("{\"name\":\"x\",\"source\":\"" + Json(source.Root) + "\",\"destination\":\"blob:NO\"}", "container"),
            ("{\"name\":\"x\",\"source\":\"" + Json(source.Root) + "\",\"destination\":\"nope:x\"}", "scheme"),
            ("{\"name\":\"x\",\"source\":\"" + Json(source.Root) + "\",\"destination\":\"blob:" + container + "\",\"schedule\":\"*/5 * * * *\"}", "six-field"),
            ("{\"name\":\"x\",\"source\":\"" + Json(source.Root) + "\",\"destination\":\"blob:" + container + "\",\"options\":{\"parallel\":0}}", "parallel"),
            ("{\"name\":\"x\",\"source\":\"" + Json(source.Root) + "\",\"destination\":\"blob:" + container + "\",\"options\":{\"maxDelete\":\"lots\"}}", "maxDelete"),
            ("{\"name\":\"x\",\"source\":\"" + Json(source.Root) + "\",\"destination\":\"" + Json(source.PathOf("inner")) + "\"}", "overlap"),
        ];
        foreach (var (body, expected) in bad)
        {
            using var response = await http.PostAsync("api/pairs", new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body}: {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(expected, text, StringComparison.OrdinalIgnoreCase);
        }

        var names = (await http.GetFromJsonAsync<JsonElement>("api/pairs")).EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.DoesNotContain("x", names);
        Assert.DoesNotContain("../etc", names);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("api/pairs/none")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("api/pairs/bad%20name")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("api/pairs/none/runs", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("api/runs/20260101T000000-00000000")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("api/runs?pair=none")).StatusCode);

        var good = Body(new { name = "once", source = source.Root, destination = "blob:" + container });
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("api/pairs", good)).StatusCode);
        using var again = await http.PostAsync("api/pairs", Body(new { name = "once", source = source.Root, destination = "blob:" + container }));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync("api/pairs/once")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("api/pairs/once")).StatusCode);
    }

    private CliRunner StartServe() => ServeProcess.Start(Home.Root, Storage);

    private static Task<(HttpClient Client, Uri BaseUrl)> ConnectAsync(CliRunner serve) => ServeProcess.ConnectAsync(serve);

    private static async Task<List<(string Event, JsonElement Data)>> ReadEventsAsync(HttpClient http, string runId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var response = await http.GetAsync($"api/runs/{runId}/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var events = new List<(string, JsonElement)>();
        string? name = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add((name!, JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone()));
            }
        }

        return events;
    }

    private static StringContent Body(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static string Json(string text) => JsonEncodedText.Encode(text).ToString();
}
