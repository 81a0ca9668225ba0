using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>
/// Runs into a snapshot repository killed with SIGKILL at random moments (seeded; the seed is in every failure message,
/// <c>SYNCFN_TEST_SEED</c> replays one), then resumed: the repository verifies clean, reading every pack, and its one
/// snapshot restores byte-identical.
/// </summary>
[Collection("azurite")]
public sealed class CliRepositoryCrashTests(AzuriteFixture azurite) : CliTestBase(azurite)
{
    private const int Mib = 1024 * 1024;

    [Fact]
    public async Task SyncIntoRepository_KilledAtFourRandomMoments_ResumedRunVerifiesCleanAndRestoresIdentical()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("SYNCFN_TEST_SEED"), System.Globalization.CultureInfo.InvariantCulture, out var given) ? given : Random.Shared.Next();
        var random = new Random(seed);
        var source = NewTree("src");
        for (var i = 0; i < 300; i++)
        {
            source.Write($"d{i % 6}/f{i:D3}.bin", TestTree.RandomBytes(1024 + (i * 7919 % (7 * 1024)), seed: i));
        }

        source.Write("big1.bin", TestTree.RandomBytes(12 * Mib, seed: 2001));
        source.Write("big2.bin", TestTree.RandomBytes(12 * Mib, seed: 2002));
        source.Write("copy-of-big1.bin", TestTree.RandomBytes(12 * Mib, seed: 2001));
        var repo = "repo:" + NewContainer("crashrepo") + "/backups";
        string[] args = ["sync", source.Root, repo, "--chunk-size", "1MiB"];

        var story = new List<string> { $"seed {seed}" };
        for (var kill = 1; kill <= 4; kill++)
        {
            var lines = random.Next(1, 60);
            await using var run = StartSyncfn([.. args, "--verbose"]);
            if (!await run.WaitForStderrCountAsync(l => l.Contains("Done Upload ", StringComparison.Ordinal), lines))
            {
                var ended = await run.WaitForExitAsync();
                story.Add($"sync {kill}: ended by itself before {lines} uploads, exit {ended.ExitCode}");
                Assert.True(ended.ExitCode == 0, $"{string.Join("; ", story)}\n{ended}");
                break;
            }

            await run.KillHardAsync();
            story.Add($"sync {kill}: killed after {lines} uploads");
        }

        var why = string.Join("; ", story);
        Assert.True(story.Any(s => s.Contains("killed", StringComparison.Ordinal)), $"no run was killed: {why}");
        var final = await Syncfn([.. args, "--json"]);
        Assert.True(final.ExitCode == 0 && final.Json.GetProperty("outcome").GetString() == "Succeeded", $"{why}\n{final}");

        var verify = await Syncfn("repo", "verify", repo, "--read-data", "--json");
        Assert.True(verify.ExitCode == 0, $"{why}\n{verify}");
        var list = await Syncfn("snapshots", "list", repo, "--json");
        var snapshots = list.Json.GetProperty("snapshots").EnumerateArray().ToList();
        Assert.True(snapshots.Count == 1, $"{why}: {snapshots.Count} snapshots\n{list}");
        Assert.Equal(303, snapshots[0].GetProperty("files").GetInt64());

        var restored = NewTree("restored");
        var restore = await Syncfn("restore", repo, "latest", restored.Root, "--json");
        Assert.True(restore.ExitCode == 0, $"{why}\n{restore}");
        Assert.Equal(source.Snapshot(), restored.Snapshot());
    }

    /// <summary>
    /// Garbage collection killed after its first deletes, then compaction killed while it repacks, each resumed: the
    /// repository verifies clean (reading every pack) after each kill and restores the kept snapshot identical. The
    /// clock runs days ahead (<c>$SYNCFN_CLOCK_OFFSET</c>) so the minimum age and the two cycles pass without waiting.
    /// </summary>
    [Fact]
    public async Task GcAndCompact_KilledMidWay_RepositoryVerifiesCleanAndTheNextRunsFinish()
    {
        var source = NewTree("src");
        for (var i = 0; i < 8; i++)
        {
            source.Write($"big/{i}.bin", TestTree.RandomBytes(3 * Mib, seed: 100 + i));
        }

        for (var i = 0; i < 60; i++)
        {
            source.Write($"d{i % 6}/f{i:D2}.txt", TestTree.RandomBytes(2000 + (i * 131), seed: 300 + i));
        }

        var repo = "repo:" + NewContainer("crashgc");
        Assert.Equal(0, (await Syncfn("sync", source.Root, repo, "--parallel", "1")).ExitCode);
        for (var i = 0; i < 8; i++)
        {
            // The first half of every large file changes (its last chunks stay), and every small file: the packs of the
            // first snapshot that hold a large file end up about half used, whichever files they were packed with.
            var content = TestTree.RandomBytes(3 * Mib, seed: 100 + i);
            TestTree.RandomBytes(3 * Mib / 2, seed: 200 + i).CopyTo(content, 0);
            source.Write($"big/{i}.bin", content);
        }

        for (var i = 0; i < 60; i++)
        {
            source.Write($"d{i % 6}/f{i:D2}.txt", TestTree.RandomBytes(2100 + (i * 131), seed: 400 + i));
        }

        Assert.Equal(0, (await Syncfn("sync", source.Root, repo, "--parallel", "1")).ExitCode);
        Assert.Equal(0, (await Syncfn("forget", repo, "--keep-last", "1")).ExitCode);

        // GC: two marking cycles two "days" apart, then the deleting one is killed after its first delete.
        Assert.Equal(0, (await At("2d", "gc", repo)).ExitCode);
        Assert.Equal(0, (await At("4d", "gc", repo)).ExitCode);
        await using (var gc = StartAt("6d", "gc", repo, "--verbose"))
        {
            await gc.WaitForStderrAsync(l => l.Contains("gc: deleted ", StringComparison.Ordinal));
            await gc.KillHardAsync();
        }

        await AssertCleanAsync(repo, "after gc was killed");
        var resumed = await At("6d", "gc", repo, "--json");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        await AssertCleanAsync(repo, "after gc resumed");

        // Compaction: it marks the half-used packs, GC marks them again, and past the grace it repacks; killed while it does.
        var marking = await At("8d", "compact", repo, "--json");
        Assert.True(marking.ExitCode == 0 && marking.Json.GetProperty("report").GetProperty("packsMarked").GetInt32() > 0, marking.ToString());
        Assert.Equal(0, (await At("10d", "gc", repo)).ExitCode);
        await using (var compact = StartAt("12d", "compact", repo, "--verbose"))
        {
            await compact.WaitForStderrAsync(l => l.Contains("compact: 0/", StringComparison.Ordinal));
            await compact.KillHardAsync();
        }

        await AssertCleanAsync(repo, "after compact was killed");
        var again = await At("12d", "compact", repo, "--json");
        Assert.True(again.ExitCode == 0, again.ToString());
        var stored = await StoredBytesAsync(repo);
        foreach (var day in new[] { "14d", "16d", "18d" })
        {
            Assert.Equal(0, (await At(day, "gc", repo)).ExitCode);
        }

        await AssertCleanAsync(repo, "after compact resumed and gc collected");
        Assert.True(await StoredBytesAsync(repo) < stored, "compaction and gc reclaimed nothing");
        var restored = NewTree("restored");
        var restore = await Syncfn("restore", repo, "latest", restored.Root);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(source.Snapshot(), restored.Snapshot());
    }

    private static Dictionary<string, string?> Clock(string offset) => new() { ["SYNCFN_CLOCK_OFFSET"] = offset };

    private Task<CliResult> At(string offset, params string[] args) =>
        CliRunner.Start(Home.Root, [.. args, "--storage", Storage], environment: Clock(offset)).WaitForExitAsync();

    private CliRunner StartAt(string offset, params string[] args) =>
        CliRunner.Start(Home.Root, [.. args, "--storage", Storage], environment: Clock(offset));

    private async Task AssertCleanAsync(string repo, string when)
    {
        var verify = await Syncfn("repo", "verify", repo, "--read-data", "--json");
        Assert.True(verify.ExitCode == 0, $"{when}:\n{verify}");
    }

    private async Task<long> StoredBytesAsync(string repo) =>
        (await Syncfn("repo", "stats", repo, "--json")).Json.GetProperty("stats").GetProperty("storedBytes").GetInt64();
}
