using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace SyncFunctions.IntegrationTests.Serve;

/// <summary><c>serve</c>'s timers over its HTTP API: a pair's schedule starts runs; maintenance on demand.</summary>
public sealed partial class ServeCommandTests
{
    [Fact]
    public async Task Serve_PairWithPerSecondSchedule_ScheduleStartsRunsAndMaintenanceAnswersOverHttp()
    {
        var source = NewTree("serve-sched");
        source.Write("a.txt", "scheduled");
        var container = NewContainer("sched");
        await using var serve = StartServe();
        var (http, baseUrl) = await ConnectAsync(serve);
        var name = "sched-" + Guid.NewGuid().ToString("N")[..8];

        using var created = await http.PostAsync("api/pairs", Body(new { name, source = source.Root, destination = "blob:" + container, schedule = "* * * * * *" }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // Nothing but the schedule starts this pair: wait (bounded) until its runs show up in the run list.
        var deadline = DateTimeOffset.UtcNow.AddMinutes(2);
        JsonElement[] runs = [];
        while (DateTimeOffset.UtcNow < deadline)
        {
            runs = [.. (await http.GetFromJsonAsync<JsonElement>("api/runs?pair=" + name)).EnumerateArray()];
            if (runs.Length >= 2 && runs.Any(r => r.GetProperty("runtimeStatus").GetString() == "Completed"))
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        Assert.True(runs.Length >= 2, $"the schedule started {runs.Length} runs: {string.Join(", ", runs.Select(r => r.ToString()))}");
        Assert.All(runs, r => Assert.Contains(r.GetProperty("trigger").GetString(), new[] { "schedule", "dirty" }));
        Assert.Contains(runs, r => r.GetProperty("trigger").GetString() == "schedule");

        using var anonymous = new HttpClient { BaseAddress = baseUrl };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("api/maintenance", Body(new { dryRun = true }))).StatusCode);
        using var dry = await http.PostAsync("api/maintenance", Body(new { dryRun = true }));
        Assert.Equal(HttpStatusCode.OK, dry.StatusCode);
        var report = await dry.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(report.GetProperty("dryRun").GetBoolean());
        Assert.Equal(30, report.GetProperty("retentionDays").GetDouble());
        Assert.True(report.GetProperty("counts").TryGetProperty("runs", out _));
        foreach (var bad in new[] { "{\"dryRun\":\"yes\"}", "{\"retentionDays\":0}", "{\"dryRun\":true,\"extra\":1}", "[1]", "{" })
        {
            using var refused = await http.PostAsync("api/maintenance", new StringContent(bad, Encoding.UTF8, "application/json"));
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{bad}: {refused.StatusCode}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        serve.Signal(15);
        var exit = await serve.WaitForExitAsync();
        Assert.True(exit.ExitCode == 0, exit.ToString());
    }
}
