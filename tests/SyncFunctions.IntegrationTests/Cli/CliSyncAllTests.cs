using System.Text.RegularExpressions;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>End-to-end: <c>syncfn sync --all [--parallel N]</c> over the named pairs of a ledger of its own.</summary>
[Collection("azurite")]
public sealed partial class CliSyncAllTests(AzuriteFixture azurite) : PrivateAzuriteCliTestBase(azurite)
{
    private const int FilesPerPair = 150;

    [Fact]
    public async Task SyncAll_FivePairsThreeAtOnce_BoundedPrefixedSummarisedWorstExitCode()
    {
        string[] good = ["a-blob", "b-blob", "c-local", "d-local"];
        var expected = new Dictionary<string, (TestTree Source, Func<Task<SortedDictionary<string, string>>> Destination)>();
        foreach (var name in good)
        {
            var source = NewTree(name);
            for (var i = 0; i < FilesPerPair; i++)
            {
                source.Write($"d{i % 4}/f{i:D3}.txt", $"{name} file {i}");
            }

            string destination;
            if (name.EndsWith("-blob", StringComparison.Ordinal))
            {
                var container = NewContainer(name);
                destination = "blob:" + container;
                expected[name] = (source, () => PrivateBlobSnapshotAsync(container));
            }
            else
            {
                var target = NewTree(name + "-copy");
                destination = target.Root;
                expected[name] = (source, () => Task.FromResult(target.Snapshot()));
            }

            var added = await Run("pairs", "add", name, source.Root, destination, "--parallel", "2");
            Assert.True(added.ExitCode == 0, added.ToString());
        }

        // The fifth pair's source folder is gone by the time it runs: a fatal error for that pair only.
        var doomed = NewTree("e-gone");
        var addedDoomed = await Run("pairs", "add", "e-gone", doomed.Root, NewTree("e-copy").Root);
        Assert.True(addedDoomed.ExitCode == 0, addedDoomed.ToString());
        Directory.Delete(doomed.Root, recursive: true);

        var all = await Run("sync", "--all", "--parallel", "3");

        Assert.True(all.ExitCode == 3, all.ToString());
        foreach (var (name, (source, destination)) in expected)
        {
            Assert.Equal(source.Snapshot(), await destination());
        }

        // Never more than three at once, from the ledger's own times (and the pairs did run side by side).
        var runs = await RunRowsAsync();
        Assert.Equal(good.Length, runs.Count);
        Assert.All(runs, r => Assert.NotNull(r.EndedAt));
        Assert.InRange(MostAtOnce(runs), 2, 3);

        // Every line a pair printed carries its prefix, whole: nothing of one pair inside another's line.
        string[] names = [.. good, "e-gone"];
        var stderr = all.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(stderr, line => Assert.Matches(PrefixedLine(), line));
        Assert.All(stderr, line => Assert.Single(PrefixAnywhere().Matches(line)));
        foreach (var name in good)
        {
            Assert.Contains(stderr, l => Regex.IsMatch(l, $@"^\[{name}\] run \S+ started$"));
            Assert.Contains($"[{name}] run ", all.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains("[e-gone] syncfn: source folder '" + doomed.Root + "' does not exist", stderr);

        var stdout = all.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var pairLines = stdout.TakeWhile(l => l.StartsWith('[')).ToList();
        Assert.All(pairLines, line => Assert.Matches(PrefixedLine(), line));
        var summary = string.Join('\n', stdout.Skip(pairLines.Count));
        Assert.Matches(@"Total\s*│\s*Success\s*│\s*Failed\s*│\s*Total time\s*│\s*Average time", summary);
        Assert.Matches(@"│\s*5\s*│\s*4\s*│\s*1\s*│", summary);
        Assert.Matches(@"e-gone\s*│\s*Error\s*│\s*3\s*│", summary);
        Assert.Contains("sync --all: 4 of 5 pairs succeeded (exit code 3)", summary, StringComparison.Ordinal);
        Assert.All(names, n => Assert.Contains(n, summary, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SyncAll_Json_OneDocumentWithEveryPairAndWorstExitCode()
    {
        var source = NewTree("src");
        source.Write("x.txt", "x");
        var copy = NewTree("copy");
        var held = NewTree("held");
        held.Write("keep1.txt", "1");
        held.Write("keep2.txt", "2");
        var heldCopy = NewTree("held-copy");
        Assert.Equal(0, (await Run("pairs", "add", "fine", source.Root, copy.Root)).ExitCode);
        Assert.Equal(0, (await Run("pairs", "add", "guarded", held.Root, heldCopy.Root, "--max-delete", "1")).ExitCode);
        Assert.Equal(0, (await Run("sync", "guarded")).ExitCode);
        held.Delete("keep1.txt");
        held.Delete("keep2.txt");

        var all = await Run("sync", "--all", "--parallel", "2", "--json");
        var dry = await Run("sync", "--all", "--dry-run", "--max-delete", "5", "--json");

        // Deletes held back (5) in one pair, success in the other: the worst is 5.
        Assert.True(all.ExitCode == 5, all.ToString());
        var json = all.Json;
        Assert.Equal(5, all.Long("exitCode"));
        Assert.Equal(2, all.Long("total"));
        Assert.Equal(1, all.Long("success"));
        Assert.Equal(1, all.Long("failed"));
        var pairs = json.GetProperty("pairs").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal(0, pairs["fine"].GetProperty("exitCode").GetInt32());
        Assert.Equal("Succeeded", pairs["fine"].GetProperty("outcome").GetString());
        Assert.Equal(1, pairs["fine"].GetProperty("summary").GetProperty("transferredByThisProcess").GetInt64());
        Assert.Equal(5, pairs["guarded"].GetProperty("exitCode").GetInt32());
        Assert.Equal("DeletesHeldBack", pairs["guarded"].GetProperty("outcome").GetString());
        Assert.Equal(source.Snapshot(), copy.Snapshot());
        Assert.Equal(2, heldCopy.Snapshot().Count);

        // Flags given with --all reach every pair: a dry run that would let the deletes through.
        Assert.True(dry.ExitCode == 0, dry.ToString());
        var dryPairs = dry.Json.GetProperty("pairs").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.True(dryPairs["guarded"].GetProperty("summary").GetProperty("dryRun").GetBoolean());
        Assert.Equal(2, dryPairs["guarded"].GetProperty("summary").GetProperty("planned").GetArrayLength());
        Assert.Equal(2, heldCopy.Snapshot().Count);
    }

    [Fact]
    public async Task SyncAll_Interrupted_RunningPairSavesStateLaterPairsNeverStart()
    {
        var big = NewTree("big");
        for (var i = 0; i < 3000; i++)
        {
            big.Write($"d{i % 30}/f{i:D4}.txt", $"file {i}");
        }

        var small = NewTree("small");
        small.Write("x.txt", "x");
        var smallCopy = NewTree("small-copy");
        var bigCopy = NewTree("big-copy");
        Assert.Equal(0, (await Run("pairs", "add", "a-big", big.Root, bigCopy.Root, "--parallel", "1")).ExitCode);
        Assert.Equal(0, (await Run("pairs", "add", "b-small", small.Root, smallCopy.Root)).ExitCode);

        await using var all = CliRunner.Start(Home.Root, ["sync", "--all", "--json", "--storage", PrivateStorage]);
        await all.WaitForStderrAsync(l => l.StartsWith("[a-big] run ", StringComparison.Ordinal) && l.EndsWith(" started", StringComparison.Ordinal));
        all.Signal(2);
        var ended = await all.WaitForExitAsync();

        Assert.True(ended.ExitCode == 130, ended.ToString());
        var pairs = ended.Json.GetProperty("pairs").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal(130, pairs["a-big"].GetProperty("exitCode").GetInt32());
        Assert.Equal(130, pairs["b-small"].GetProperty("exitCode").GetInt32());
        Assert.Equal("NotStarted", pairs["b-small"].GetProperty("outcome").GetString());
        Assert.Empty(smallCopy.Snapshot());

        // State saved: the pair's run is still open, and the next sync of the pair resumes it.
        var run = Assert.Single(await RunRowsAsync());
        Assert.Equal(SyncFunctions.Abstractions.RunStatus.Running, run.Status);
        var resumed = await Run("sync", "a-big");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"run {run.RunId} resumed", resumed.Stderr, StringComparison.Ordinal);
        Assert.Equal(big.Snapshot(), bigCopy.Snapshot());
    }

    [GeneratedRegex(@"^\[(a-blob|b-blob|c-local|d-local|e-gone)\] ")]
    private static partial Regex PrefixedLine();

    [GeneratedRegex(@"\[(a-blob|b-blob|c-local|d-local|e-gone)\] ")]
    private static partial Regex PrefixAnywhere();
}
