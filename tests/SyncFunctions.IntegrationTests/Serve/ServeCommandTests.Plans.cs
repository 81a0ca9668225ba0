using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SyncFunctions.IntegrationTests.Cli;

namespace SyncFunctions.IntegrationTests.Serve;

/// <summary>Preview, then apply, over <c>syncfn serve</c>'s HTTP API, next to the CLI's dry run of the same pair.</summary>
public sealed partial class ServeCommandTests
{
    [Fact]
    public async Task Serve_PlanPreviewedThenApplied_RunsThatPlanOnceAndRefusesAPlanThePairOutgrew()
    {
        var source = NewTree("plan-src");
        long bytes = 0;
        for (var i = 0; i < 12; i++)
        {
            var content = TestTree.RandomBytes(700 + (i * 97), 40 + i);
            source.Write($"p{i % 2}/f{i}.bin", content);
            bytes += content.Length;
        }

        var container = NewContainer("plan");
        var name = "plan-" + Guid.NewGuid().ToString("N")[..8];
        await using var serve = StartServe();
        var (http, baseUrl) = await ConnectAsync(serve);
        using (var created = await http.PostAsync("api/pairs", Body(new { name, source = source.Root, destination = "blob:" + container })))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // The CLI's dry run of the named pair and the service's preview are the same plan.
        var dry = await Syncfn("sync", name, "--dry-run", "--json");
        Assert.True(dry.ExitCode == 0, dry.ToString());
        var dryPlan = dry.Json.GetProperty("plan");

        using var previewed = await http.PostAsync($"api/pairs/{name}/plan", null);
        Assert.Equal(HttpStatusCode.Created, previewed.StatusCode);
        var preview = await previewed.Content.ReadFromJsonAsync<JsonElement>();
        var plan = preview.GetProperty("plan");
        Assert.Equal(dryPlan.GetProperty("fingerprint").GetString(), plan.GetProperty("fingerprint").GetString());
        Assert.StartsWith("sha256:", plan.GetProperty("fingerprint").GetString(), StringComparison.Ordinal);
        Assert.Equal(12, plan.GetProperty("uploads").GetInt64());
        Assert.Equal(0, plan.GetProperty("deletes").GetInt64());
        Assert.Equal(bytes, plan.GetProperty("bytes").GetInt64());
        Assert.Equal(12, plan.GetProperty("items").GetArrayLength());
        Assert.Equal(dryPlan.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("path").GetString()), plan.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("path").GetString()));
        var planId = preview.GetProperty("id").GetString()!;
        Assert.Equal(new Uri(baseUrl, $"api/plans/{planId}/apply").ToString(), preview.GetProperty("applyPostUri").GetString());
        Assert.True(preview.GetProperty("expiresTime").GetDateTimeOffset() > preview.GetProperty("createdTime").GetDateTimeOffset());
        Assert.False((await Container(container).ExistsAsync()).Value, "the preview created the destination container");

        using var applied = await http.PostAsync($"api/plans/{planId}/apply", null);
        Assert.Equal(HttpStatusCode.Accepted, applied.StatusCode);
        var runId = (await applied.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal(new Uri(baseUrl, "api/runs/" + runId), applied.Headers.Location);
        var last = (await ReadEventsAsync(http, runId)).Last(e => e.Event == "status").Data;
        Assert.Equal("Completed", last.GetProperty("runtimeStatus").GetString());
        Assert.Equal("Succeeded", last.GetProperty("customStatus").GetProperty("status").GetString());
        Assert.Equal("plan", last.GetProperty("trigger").GetString());
        Assert.Equal(source.Snapshot(), await BlobSnapshotAsync(container));

        // A plan is applied once.
        using (var again = await http.PostAsync($"api/plans/{planId}/apply", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal(runId, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetString());
        }

        // A plan the source outgrew since its preview is refused, and nothing of it is done.
        source.Write("p0/late.bin", "late");
        using var second = await http.PostAsync($"api/pairs/{name}/plan", null);
        var secondPlan = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, secondPlan.GetProperty("plan").GetProperty("uploads").GetInt64());
        source.Write("p1/later.bin", "later");
        using (var refused = await http.PostAsync($"api/plans/{secondPlan.GetProperty("id").GetString()}/apply", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("changed since plan", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.DoesNotContain("p0/late.bin", (await BlobSnapshotAsync(container)).Keys);
        using (var unknown = await http.PostAsync($"api/plans/{new string('0', 32)}/apply", null))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var malformed = await http.PostAsync("api/plans/not-a-plan/apply", null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        }

        using (var missingPair = await http.PostAsync($"api/pairs/{name}-gone/plan", null))
        {
            Assert.Equal(HttpStatusCode.NotFound, missingPair.StatusCode);
        }

        using (var removed = await http.DeleteAsync("api/pairs/" + name))
        {
            Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        }

        serve.Signal(15);
        var exit = await serve.WaitForExitAsync();
        Assert.True(exit.ExitCode == 0, exit.ToString());
    }
}
