using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>End-to-end: kill -9, Ctrl-C and SIGTERM lose nothing; the next sync resumes.</summary>
[Collection("azurite")]
public sealed class CliInterruptTests : CliTestBase
{
    public CliInterruptTests(AzuriteFixture azurite)
        : base(azurite)
    {
    }

    [Fact]
    public async Task Sync_KilledMidLargeFile_ResumeReusesStagedBlocksAndIsByteIdentical()
    {
        var source = NewTree("src");
        source.Write("large.bin", TestTree.RandomBytes(48 * 1024 * 1024, seed: 48));
        var container = NewContainer("sigkill");
        string[] args = ["sync", source.Root, $"blob:{container}", "--chunk-size", "1MiB", "--parallel", "1"];

        string runId;
        await using (var first = StartSyncfn([.. args, "--verbose"]))
        {
            runId = await first.WaitForRunIdAsync();
            await first.WaitForStderrCountAsync(l => l.Contains("Staged block ", StringComparison.Ordinal), 5);
            await first.KillHardAsync();
        }

        var blob = Container(container).GetBlockBlobClient("large.bin");
        var staged = (await blob.GetBlockListAsync(BlockListTypes.Uncommitted)).Value.UncommittedBlocks.Select(b => b.Name).ToList();
        var resumed = await Syncfn([.. args, "--json"]);

        Assert.True(staged.Count >= 5, $"expected at least 5 staged blocks after the kill, found {staged.Count}");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.True(resumed.Long("reusedChunks") > 0, resumed.ToString());
        Assert.Contains($"run {runId} resumed", resumed.Stderr, StringComparison.Ordinal);
        var committed = (await blob.GetBlockListAsync(BlockListTypes.Committed)).Value.CommittedBlocks.Select(b => b.Name).ToHashSet();
        Assert.Subset(committed, staged.ToHashSet());
        Assert.Equal(source.Snapshot(), await BlobSnapshotAsync(container));
    }

    [Theory]
    [InlineData(2, 130)]
    [InlineData(15, 143)]
    public async Task Sync_SignalMidRun_ExitsWithSignalCodeAndNextSyncResumes(int signal, int expectedExit)
    {
        var source = NewTree("src");
        // Enough files that the run is still busy when the signal arrives.
        const int Files = 1500;
        for (var i = 0; i < Files; i++)
        {
            source.Write($"dir{i % 7}/file{i:D4}.txt", TestTree.RandomBytes(2048 + i, seed: i));
        }

        var container = NewContainer("signal");
        string[] args = ["sync", source.Root, $"blob:{container}", "--parallel", "1"];
        string runId;
        CliResult interrupted;
        await using (var first = StartSyncfn([.. args, "--verbose", "--json"]))
        {
            runId = await first.WaitForRunIdAsync();
            await first.WaitForStderrAsync(l => l.Contains("Done Upload", StringComparison.Ordinal));
            first.Signal(signal);
            interrupted = await first.WaitForExitAsync();
        }

        await using var second = StartSyncfn([.. args, "--json"]);
        var resumedId = await second.WaitForRunIdAsync();
        var resumed = await second.WaitForExitAsync();

        Assert.True(interrupted.ExitCode == expectedExit, interrupted.ToString());
        Assert.Equal("Interrupted", interrupted.Json.GetProperty("outcome").GetString());
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(runId, resumedId);
        Assert.Contains($"run {runId} resumed", resumed.Stderr, StringComparison.Ordinal);

        // Finished files are not sent again. With --parallel 1 at most one upload is in flight at the signal:
        // it may land without being counted, and the resume then adopts it instead of sending it again.
        Assert.InRange(interrupted.Long("transferredByThisProcess") + resumed.Long("transferredByThisProcess"), Files - 1, Files);
        Assert.Equal(source.Snapshot(), await BlobSnapshotAsync(container));
    }

    [Fact]
    public async Task Sync_TwoProcessesShareOneRun_EveryFileUploadedOnce()
    {
        const int Files = 3000;
        var source = NewTree("src");
        for (var i = 0; i < Files; i++)
        {
            source.Write($"d{i % 10}/f{i:D5}.txt", $"content of file {i}");
        }

        var container = NewContainer("shared");
        await using var owner = StartSyncfn("sync", source.Root, $"blob:{container}", "--parallel", "1", "--json");
        var runId = await owner.WaitForRunIdAsync();
        await using var joiner = StartSyncfn("runs", "join", runId, "--parallel", "4", "--json");
        var joined = await joiner.WaitForExitAsync();
        var owned = await owner.WaitForExitAsync();

        Assert.True(owned.ExitCode == 0, owned.ToString());
        Assert.True(joined.ExitCode == 0, joined.ToString());
        Assert.Contains($"run {runId} joined", joined.Stderr, StringComparison.Ordinal);
        Assert.True(joined.Long("transferredByThisProcess") > 0, joined.ToString());
        Assert.Equal(Files, owned.Long("transferredByThisProcess") + joined.Long("transferredByThisProcess"));
        Assert.Equal(source.Snapshot(), await BlobSnapshotAsync(container));
    }

    [Fact]
    public async Task Sync_PairRunByLiveProcess_SecondSyncExitsPairBusy()
    {
        var source = NewTree("src");
        for (var i = 0; i < 3000; i++)
        {
            source.Write($"f{i:D4}.txt", $"file {i}");
        }

        var container = NewContainer("busy");
        await using var owner = StartSyncfn("sync", source.Root, $"blob:{container}", "--parallel", "1", "--json");
        var runId = await owner.WaitForRunIdAsync();
        var second = await Syncfn("sync", source.Root, $"blob:{container}", "--json");
        var finished = await owner.WaitForExitAsync();

        Assert.True(second.ExitCode == 4, second.ToString());
        Assert.Equal("PairBusy", second.Json.GetProperty("outcome").GetString());
        Assert.Equal(runId, second.Json.GetProperty("runId").GetString());
        Assert.True(finished.ExitCode == 0, finished.ToString());
    }
}
