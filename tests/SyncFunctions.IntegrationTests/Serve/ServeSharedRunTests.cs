using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SyncFunctions.Abstractions;
using SyncFunctions.IntegrationTests.Cli;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Serve;

/// <summary>
/// Three <c>syncfn serve</c> processes on one task hub share one run of 2,000 small files and 4 x 64 MiB; one of
/// them is killed (<c>kill -9</c>) in the middle. The run completes on the other two, byte-identical, with work items
/// done by all three and no item done twice beyond the attempts its dead worker cut short.
/// </summary>
[Collection("azurite")]
public sealed class ServeSharedRunTests(AzuriteFixture azurite) : CliTestBase(azurite)
{
    private const int Mib = 1024 * 1024;

    [Fact]
    public async Task ThreeServes_OneKilledMidRun_RunCompletesByteIdenticalWithWorkFromAll()
    {
        const int files = 2_000, larges = 4, largeSize = 64 * Mib;
        var source = NewTree("shared-src");
        for (var i = 0; i < files; i++)
        {
            source.Write($"d{i % 12}/f{i}.bin", TestTree.RandomBytes(4096 + (i * 37 % 12_288), i));
        }

        for (var i = 0; i < larges; i++)
        {
            source.Write($"large/{(char)('a' + i)}.bin", TestTree.RandomBytes(largeSize + (i * 17), 1001 + i));
        }

        var container = NewContainer("shared");
        var hub = ServeProcess.NewTaskHub();

        // Short item leases (and with them the activities' visibility), so the killed process's claims end in seconds.
        var serves = new List<CliRunner>();
        try
        {
            for (var n = 0; n < 3; n++)
            {
                serves.Add(CliRunner.Start(
                    Home.Root,
                    ["serve", "--port", "0", "--task-hub", hub, "--storage", Storage, "--workers", "3"],
                    environment: new Dictionary<string, string?> { ["SYNCFN_API_KEY"] = ServeProcess.Key, ["SYNCFN_ITEM_LEASE"] = "8s" }));
            }

            var clients = new List<HttpClient>();
            foreach (var serve in serves)
            {
                clients.Add((await ServeProcess.ConnectAsync(serve)).Client);
            }

            var pair = JsonSerializer.Serialize(new { name = "shared", source = source.Root, destination = "blob:" + container, options = new { chunkSize = Mib } });
            Assert.Equal(HttpStatusCode.Created, (await clients[0].PostAsync("api/pairs", new StringContent(pair, Encoding.UTF8, "application/json"))).StatusCode);
            using var started = await clients[0].PostAsync("api/pairs/shared/runs", null);
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

            // Kill one process once a third of the files have ended (bounded wait on the status the others serve).
            var killed = serves[0];
            await WaitForAsync(clients[1], runId, s => s.GetProperty("customStatus").GetProperty("files").GetInt64() >= files / 3, TimeSpan.FromMinutes(6));
            await killed.KillHardAsync();

            var ended = await WaitForAsync(clients[1], runId, s => s.GetProperty("runtimeStatus").GetString() is "Completed" or "Failed" or "Terminated", TimeSpan.FromMinutes(15));
            var why = $"{ended}\n--- killed ---\n{killed.Output()}\n--- survivor ---\n{serves[1].Output()}";
            Assert.True(ended.GetProperty("runtimeStatus").GetString() == "Completed", why);
            Assert.True(ended.GetProperty("customStatus").GetProperty("status").GetString() == "Succeeded", why);
            Assert.Equal(0, ended.GetProperty("customStatus").GetProperty("failed").GetInt64());
            Assert.Equal(source.Snapshot(), await BlobSnapshotAsync(container));

            var ledger = SyncFunctions.Azure.TableLedger.Create(Azurite.Connect());
            var items = new List<WorkItemRecord>();
            await foreach (var item in ledger.ListWorkItemsAsync(runId, CancellationToken.None))
            {
                items.Add(item);
            }

            var pids = serves.Select(s => s.Pid).ToList();
            var doneBy = items.Where(i => i.Status == WorkStatus.Done && i.LeaseOwner is not null).Select(i => ProcessOf(i.LeaseOwner!, pids)).ToHashSet();
            var table = string.Join("\n", items.Select(i => $"{i.ItemId} {i.Kind} {i.Status} owner {i.LeaseOwner} attempts {i.Attempts} deaths {i.Deaths} failures {i.Failures}"));
            Assert.True(doneBy.SetEquals(pids), $"work items done by {string.Join(", ", doneBy)} of {string.Join(", ", pids)}\n{table}");
            Assert.All(items, i => Assert.True(i.Status == WorkStatus.Done && i.Failures == 0 && i.Attempts <= 1 + i.Deaths, $"{i.ItemId}: {i.Status}, attempts {i.Attempts}, deaths {i.Deaths}, failures {i.Failures}\n{table}"));

            foreach (var survivor in serves.Skip(1))
            {
                survivor.Signal(15);
                var exit = await survivor.WaitForExitAsync();
                Assert.True(exit.ExitCode == 0, exit.ToString());
            }

            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
        finally
        {
            foreach (var serve in serves)
            {
                await serve.DisposeAsync();
            }
        }
    }

    /// <summary>The pid of <paramref name="pids"/> whose process the lease owner id names (owner ids start host:pid:).</summary>
    private static int ProcessOf(string owner, IReadOnlyList<int> pids) =>
        pids.FirstOrDefault(p => owner.Contains($":{p}:", StringComparison.Ordinal), -1);

    private static async Task<JsonElement> WaitForAsync(HttpClient client, string runId, Func<JsonElement, bool> done, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        using var response = await client.GetAsync($"api/runs/{runId}/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        JsonElement last = default;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal) && JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone() is { } data && data.TryGetProperty("customStatus", out _))
            {
                last = data;
                if (done(data))
                {
                    return data;
                }
            }
        }

        Assert.Fail($"run {runId} event stream ended before the condition held; last: {last}");
        return last;
    }
}
