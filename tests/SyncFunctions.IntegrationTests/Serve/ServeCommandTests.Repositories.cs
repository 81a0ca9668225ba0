using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SyncFunctions.IntegrationTests.Cli;

namespace SyncFunctions.IntegrationTests.Serve;

/// <summary><c>serve</c>'s snapshot repository routes: stats per pair and repository, GC as an orchestration over HTTP.</summary>
public sealed partial class ServeCommandTests
{
    [Fact]
    public async Task Serve_RepositoryPairRun_StatsShowTheSnapshot_GcAndCompactDryRunsAnswerWhatTheyScannedAndChangeNothing()
    {
        var source = NewTree("serve-repo");
        for (var i = 0; i < 6; i++)
        {
            source.Write($"d{i % 2}/f{i}.bin", TestTree.RandomBytes(2000 + (i * 997), 40 + i));
        }

        var container = NewContainer("srvrepo");
        await using var serve = StartServe();
        var (http, baseUrl) = await ConnectAsync(serve);
        using var created = await http.PostAsync("api/pairs", Body(new { name = "snap", source = source.Root, destination = "repo:" + container }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var started = await http.PostAsync("api/pairs/snap/runs", null);
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal("end", (await ReadEventsAsync(http, runId))[^1].Event);

        var stats = await http.GetFromJsonAsync<JsonElement>("api/stats");
        var pair = stats.GetProperty("pairs").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "snap");
        Assert.Equal("Succeeded", pair.GetProperty("lastRun").GetProperty("status").GetString());
        var repository = stats.GetProperty("repositories").EnumerateArray().Single();
        var canonical = repository.GetProperty("repository").GetString()!;
        Assert.Equal(["snap"], repository.GetProperty("pairs").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(1, repository.GetProperty("statistics").GetProperty("snapshots").GetInt32());
        Assert.True(repository.GetProperty("statistics").GetProperty("storedBytes").GetInt64() > 0, repository.ToString());

        var blobsBefore = await BlobSnapshotAsync(container);
        using var gc = await http.PostAsync("api/maintenance/gc?wait=120", Body(new { dryRun = true, repository = canonical }));
        Assert.True(gc.StatusCode == HttpStatusCode.OK, await gc.Content.ReadAsStringAsync());
        var report = await gc.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Completed", report.GetProperty("runtimeStatus").GetString());
        var output = report.GetProperty("output");
        Assert.True(output.GetProperty("dryRun").GetBoolean());
        var result = output.GetProperty("repositories").EnumerateArray().Single();
        Assert.True(result.GetProperty("scanned").GetProperty("objects").GetInt64() > 0, result.ToString());
        Assert.Equal(0, result.GetProperty("freed").GetProperty("objects").GetInt64());
        Assert.Equal(blobsBefore, await BlobSnapshotAsync(container));

        using var compact = await http.PostAsync("api/maintenance/compact?wait=120", Body(new { dryRun = true }));
        Assert.True(compact.StatusCode == HttpStatusCode.OK, await compact.Content.ReadAsStringAsync());
        var compacted = (await compact.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("output").GetProperty("repositories").EnumerateArray().Single();
        Assert.True(compacted.GetProperty("compact").GetProperty("packsScanned").GetInt32() > 0, compacted.ToString());
        Assert.Equal(0, compacted.GetProperty("compact").GetProperty("packsRepacked").GetInt32());
        Assert.Equal((1, 0), (compacted.GetProperty("records").GetProperty("records").GetInt32(), compacted.GetProperty("records").GetProperty("recordsMerged").GetInt32()));
        Assert.Equal(blobsBefore, await BlobSnapshotAsync(container));

        var statusUrl = report.GetProperty("statusQueryGetUri").GetString()!;
        Assert.StartsWith(new Uri(baseUrl, "api/maintenance/runs/maintenance-gc-").ToString(), statusUrl, StringComparison.Ordinal);
        var status = await http.GetFromJsonAsync<JsonElement>(statusUrl);
        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
        Assert.Equal(1, status.GetProperty("customStatus").GetProperty("done").GetInt32());

        using var anonymous = new HttpClient { BaseAddress = baseUrl };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("api/maintenance/gc", Body(new { dryRun = true }))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/stats")).StatusCode);
        foreach (var (bad, expected) in new[]
        {
            ("{\"dryRun\":\"yes\"}", HttpStatusCode.BadRequest), ("{\"dryRun\":true,\"max\":0}", HttpStatusCode.BadRequest),
            ("{\"dryRun\":true,\"extra\":1}", HttpStatusCode.BadRequest), ("{\"dryRun\":true,\"repository\":\"repo:none\"}", HttpStatusCode.NotFound),
        })
        {
            using var refused = await http.PostAsync("api/maintenance/gc", new StringContent(bad, Encoding.UTF8, "application/json"));
            Assert.True(refused.StatusCode == expected, $"{bad}: {refused.StatusCode}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("api/maintenance/gc?wait=soon", Body(new { dryRun = true }))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("api/maintenance/runs/maintenance-gc-none")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("api/maintenance/runs/" + runId)).StatusCode);
        serve.Signal(15);
        Assert.Equal(0, (await serve.WaitForExitAsync()).ExitCode);
    }
}
