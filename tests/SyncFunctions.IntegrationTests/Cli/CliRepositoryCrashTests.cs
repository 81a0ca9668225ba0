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
}
