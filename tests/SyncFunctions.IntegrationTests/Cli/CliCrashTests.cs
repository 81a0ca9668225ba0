using System.Text.RegularExpressions;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using SyncFunctions.Core.Stores;
using SyncFunctions.Core.Transfer;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>
/// End-to-end crashes: processes killed with SIGKILL at random moments (seeded; the seed is in every failure message,
/// <c>SYNCFN_TEST_SEED</c> replays one) and a joiner killed while it stages chunks. Synchronised by log lines only.
/// </summary>
[Collection("azurite")]
public sealed partial class CliCrashTests : CliTestBase
{
    private const int Mib = 1024 * 1024;
    private const int SigStop = 19;
    private const int SigCont = 18;

    public CliCrashTests(AzuriteFixture azurite)
        : base(azurite)
    {
    }

    /// <summary>
    /// 400 small files (1-8 KiB, four batches) and two 24 MiB files (24 chunks of 1 MiB, six ranges each): ten syncs
    /// killed after a random number (1-30) of progress lines, then one plain sync that must end the run cleanly.
    /// </summary>
    [Fact]
    public async Task Sync_KilledAtTenRandomMoments_FinalSyncSucceedsByteIdentical()
    {
        var seed = TestSeed();
        var random = new Random(seed);
        var source = NewTree("src");
        for (var i = 0; i < 400; i++)
        {
            source.Write($"d{i % 8}/f{i:D3}.bin", TestTree.RandomBytes(1024 + (i * 7919 % (7 * 1024)), seed: i));
        }

        source.Write("big1.bin", TestTree.RandomBytes(24 * Mib, seed: 1001));
        source.Write("big2.bin", TestTree.RandomBytes(24 * Mib, seed: 1002));
        var container = NewContainer("crash10");
        string[] args = ["sync", source.Root, $"blob:{container}", "--chunk-size", "1MiB"];

        var story = new List<string> { $"seed {seed}" };
        for (var kill = 1; kill <= 10; kill++)
        {
            var lines = random.Next(1, 31);
            await using var run = StartSyncfn([.. args, "--verbose", "--json"]);
            if (!await run.WaitForStderrCountAsync(IsProgress, lines))
            {
                // The earlier kills left less than this much to do: the run ended by itself, and must have ended well.
                var ended = await run.WaitForExitAsync();
                story.Add($"sync {kill}: ended by itself before {lines} progress lines, exit {ended.ExitCode}");
                Assert.True(ended.ExitCode == 0, $"{string.Join("; ", story)}: {FailuresOf(ended)}\n{ended}\n{await WorkItemsOfAsync(ended)}");
                break;
            }

            await run.KillHardAsync();
            story.Add($"sync {kill}: {RunLineOf(run)}, killed after {lines} progress lines");
        }

        var final = await Syncfn([.. args, "--json"]);
        var json = final.Json;
        if (final.ExitCode != 0 || json.GetProperty("outcome").GetString() != "Succeeded" || final.Long("failed") != 0 || json.GetProperty("failures").GetArrayLength() > 0)
        {
            Assert.Fail($"the sync after the kills is not clean: {FailuresOf(final)}\n{string.Join("; ", story)}\n{final}\n{await WorkItemsOfAsync(final)}");
        }

        Assert.True(final.Long("succeeded") + final.Long("skipped") == final.Long("total"), $"{string.Join("; ", story)}\n{final}");
        Assert.Equal(source.Snapshot(), await BlobSnapshotAsync(container));
    }

    /// <summary>
    /// One 96 MiB file (24 ranges of 4 MiB, each cut into content-defined blocks) staged by a coordinator (one worker)
    /// and two joiners; the first joiner to stage a block is killed. Its range is claimed again when its (shortened) lease ends;
    /// no block is staged twice, the block list is committed once with every block id in order.
    /// </summary>
    [Fact]
    public async Task RunsJoin_JoinerKilledWhileStaging_RangeReclaimedAfterLeaseAndNoChunkStagedTwice()
    {
        var source = NewTree("src");
        source.Write("big.bin", TestTree.RandomBytes(96 * Mib, seed: 32));
        var container = NewContainer("joinkill");

        // Long enough that the coordinator keeps its claim while it is stopped for the joiners' start-up.
        var lease = new Dictionary<string, string?> { ["SYNCFN_ITEM_LEASE"] = "20s" };
        await using var coordinator = StartWith(lease, "sync", source.Root, $"blob:{container}", "--chunk-size", "1MiB", "--parallel", "1", "--verbose", "--json");
        var runId = await coordinator.WaitForRunIdAsync();

        // The coordinator alone would stage the whole file before a joiner is up: it holds a range, stopped (its log line
        // comes a little after the block; with 24 ranges and one worker, most ranges are left for the joiners).
        await coordinator.WaitForStderrAsync(IsStaged);
        coordinator.Signal(SigStop);
        await using var first = StartWith(lease, "runs", "join", runId, "--parallel", "2", "--verbose", "--json");
        await using var second = StartWith(lease, "runs", "join", runId, "--parallel", "2", "--verbose", "--json");
        var victim = await FirstToStageAsync(first, second);
        await victim.KillHardAsync();
        coordinator.Signal(SigCont);
        var survivor = victim == first ? second : first;
        var joined = await survivor.WaitForExitAsync();
        var owned = await coordinator.WaitForExitAsync();

        var why = $"killed joiner:\n{victim.Output()}\nother joiner: {joined}\ncoordinator: {owned}";
        Assert.True(owned.ExitCode == 0, why);
        Assert.True(owned.Json.GetProperty("outcome").GetString() == "Succeeded", why);
        Assert.True(joined.ExitCode == 0, why);

        var staged = StagedIds(coordinator).Concat(StagedIds(victim)).Concat(StagedIds(survivor)).ToList();
        var twice = staged.GroupBy(i => i).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var expected = await ContentBlockCut.OfAsync(await File.ReadAllBytesAsync(Path.Combine(source.Root, "big.bin")), 4 * Mib);
        var unlogged = expected.Select(b => b.Id).Except(staged).ToList();
        Assert.True(twice.Count == 0, $"blocks staged twice: {string.Join(", ", twice)}\n{why}");

        // The killed joiner stages a range's blocks at most 4 at once: only blocks that landed without their log line are
        // staged by nobody afterwards (they are reused), so at most 4.
        Assert.True(unlogged.Count <= 4, $"blocks no process logged staging: {string.Join(", ", unlogged)}\n{why}");
        Assert.True(StagedIds(victim).Count >= 1, why);

        var blocks = (await Container(container).GetBlockBlobClient("big.bin").GetBlockListAsync(BlockListTypes.All)).Value;
        Assert.Equal(expected.Select(b => b.Id), blocks.CommittedBlocks.Select(b => b.Name));
        Assert.Empty(blocks.UncommittedBlocks);
        Assert.Equal(source.Snapshot(), await BlobSnapshotAsync(container));
    }

    /// <summary>The seed of the random moments: <c>SYNCFN_TEST_SEED</c> replays a failure, otherwise a new one each run.</summary>
    private static int TestSeed() =>
        int.TryParse(Environment.GetEnvironmentVariable("SYNCFN_TEST_SEED"), System.Globalization.CultureInfo.InvariantCulture, out var seed) ? seed : Random.Shared.Next();

    private static bool IsProgress(string line) =>
        line.Contains("Done Upload ", StringComparison.Ordinal) || line.Contains("Staged chunk ", StringComparison.Ordinal) || line.Contains("Staged block ", StringComparison.Ordinal);

    private static bool IsStaged(string line) => StagedLine().IsMatch(line);

    private static List<string> StagedIds(CliRunner runner) =>
        [.. runner.StderrLines().Select(l => StagedLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value)];

    private static string RunLineOf(CliRunner runner) =>
        runner.StderrLines().FirstOrDefault(l => l.StartsWith("run ", StringComparison.Ordinal)) ?? "no run line";

    private CliRunner StartWith(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        CliRunner.Start(Home.Root, [.. args, "--storage", Storage], environment: environment);

    /// <summary>The joiner that logs a staged chunk first (fails when both end without staging one).</summary>
    private static async Task<CliRunner> FirstToStageAsync(CliRunner a, CliRunner b)
    {
        var winner = new TaskCompletionSource<CliRunner>(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task WatchAsync(CliRunner joiner)
        {
            if (await joiner.WaitForStderrCountAsync(IsStaged, 1))
            {
                winner.TrySetResult(joiner);
            }
        }

        var watchers = Task.WhenAll(WatchAsync(a), WatchAsync(b));
        if (await Task.WhenAny(winner.Task, watchers) != winner.Task && !winner.Task.IsCompleted)
        {
            Assert.Fail($"neither joiner staged a chunk\n{a.Output()}\n{b.Output()}");
        }

        return await winner.Task;
    }

    /// <summary>The failed files of a sync's summary with their reasons (for failure messages).</summary>
    internal static string FailuresOf(CliResult result)
    {
        try
        {
            var failures = result.Json.GetProperty("failures").EnumerateArray()
                .Select(f => $"{f.GetProperty("path").GetString()}: {f.GetProperty("reason").GetString()}").ToList();
            return failures.Count == 0 ? "no failed file listed" : $"{failures.Count} failed: {string.Join("; ", failures)}";
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return $"(no summary: {e.Message})";
        }
    }

    /// <summary>The work item rows of a sync's run as the ledger holds them: deaths, stalls, windows (for failure messages).</summary>
    private async Task<string> WorkItemsOfAsync(CliResult result)
    {
        try
        {
            var runId = result.Json.GetProperty("runId").GetString()!;
            var ledger = SyncFunctions.Azure.TableLedger.Create(Azurite.Connect());
            var rows = new System.Text.StringBuilder($"work items of run {runId}:\n");
            await foreach (var i in ledger.ListWorkItemsAsync(runId, CancellationToken.None))
            {
                rows.AppendLine($"  {i.ItemId} {i.Kind} {i.Status}: attempts {i.Attempts}, deaths {i.Deaths}, stalled {i.StalledDeaths}, window {i.Window}, failures {i.Failures}, failed {i.Failed}, bytes {i.BytesDone}");
            }

            return rows.ToString();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException or SyncFunctions.Abstractions.StorageException)
        {
            return $"(no work items: {e.Message})";
        }
    }

    [GeneratedRegex(@"Staged block \d+ (\S+) \(")]
    private static partial Regex StagedLine();
}
