using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>End-to-end: runs list / show / cancel.</summary>
[Collection("azurite")]
public sealed class CliRunsTests : CliTestBase
{
    public CliRunsTests(AzuriteFixture azurite)
        : base(azurite)
    {
    }

    private static TestTree ManyFiles(TestTree tree, int count)
    {
        for (var i = 0; i < count; i++)
        {
            tree.Write($"f{i:D4}.txt", $"file {i}");
        }

        return tree;
    }

    [Fact]
    public async Task RunsCancel_LiveOwner_OwnerStopsAndRunEndsCancelled()
    {
        // The owner sees the cancel at its next heartbeat (10 s): the run must outlast that by far.
        var source = ManyFiles(NewTree("src"), 8000);
        var container = NewContainer("cancel-live");
        await using var sync = StartSyncfn("sync", source.Root, $"blob:{container}", "--parallel", "1", "--verbose", "--json");
        var runId = await sync.WaitForRunIdAsync();
        await sync.WaitForStderrAsync(l => l.Contains("Done Upload", StringComparison.Ordinal));

        var cancel = await Syncfn("runs", "cancel", runId, "--json");
        var ended = await sync.WaitForExitAsync();
        var show = await Syncfn("runs", "show", runId, "--json");

        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.Equal("Requested", cancel.Json.GetProperty("result").GetString());
        Assert.True(ended.ExitCode == 1, ended.ToString());
        Assert.Equal("Cancelled", ended.Json.GetProperty("outcome").GetString());
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Equal("Cancelled", show.Json.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal(JsonValueKindNull, show.Json.GetProperty("pair").GetProperty("activeRunId").ValueKind);
    }

    [Fact]
    public async Task RunsCancel_DeadOwner_EndsRunAndFreesPair()
    {
        var source = ManyFiles(NewTree("src"), 300);
        var container = NewContainer("cancel-dead");
        string runId;
        await using (var sync = StartSyncfn("sync", source.Root, $"blob:{container}", "--parallel", "1", "--verbose"))
        {
            runId = await sync.WaitForRunIdAsync();
            await sync.WaitForStderrAsync(l => l.Contains("Done Upload", StringComparison.Ordinal));
            await sync.KillHardAsync();
        }

        var cancel = await Syncfn("runs", "cancel", runId, "--json");
        var list = await Syncfn("runs", "list", "--json");
        await using var next = StartSyncfn("sync", source.Root, $"blob:{container}", "--json");
        var nextRunId = await next.WaitForRunIdAsync();
        var finished = await next.WaitForExitAsync();

        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.Equal("Cancelled", cancel.Json.GetProperty("result").GetString());
        Assert.Contains(
            list.Json.GetProperty("runs").EnumerateArray(),
            r => r.GetProperty("runId").GetString() == runId && r.GetProperty("status").GetString() == "Cancelled");
        Assert.NotEqual(runId, nextRunId);
        Assert.Contains($"run {nextRunId} started", finished.Stderr, StringComparison.Ordinal);
        Assert.True(finished.ExitCode == 0, finished.ToString());
        Assert.Equal(source.Snapshot(), await BlobSnapshotAsync(container));
    }

    [Fact]
    public async Task RunsShow_FinishedRun_PrintsStatusCountersAndCarryOver()
    {
        var source = ManyFiles(NewTree("src"), 3);
        var container = NewContainer("show");
        var sync = await Syncfn("sync", source.Root, $"blob:{container}", "--json");
        var runId = sync.Json.GetProperty("runId").GetString()!;

        var show = await Syncfn("runs", "show", runId);
        var showJson = await Syncfn("runs", "show", runId, "--json");
        var unknown = await Syncfn("runs", "show", "no-such-run");

        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains(runId, show.Stdout, StringComparison.Ordinal);
        Assert.Contains("Carry-over set: empty", show.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, showJson.Json.GetProperty("tally").GetProperty("done").GetInt64());
        Assert.Equal("Succeeded", showJson.Json.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal(3, unknown.ExitCode);
        Assert.Contains("no run with id 'no-such-run'", unknown.Stderr, StringComparison.Ordinal);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}
