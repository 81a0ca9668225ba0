using System.Text.Json;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>End-to-end: <c>syncfn pairs add|list|show|remove</c> and <c>syncfn sync NAME</c>, on a ledger of their own.</summary>
[Collection("azurite")]
public sealed class CliPairsTests(AzuriteFixture azurite) : PrivateAzuriteCliTestBase(azurite)
{
    [Fact]
    public async Task Pairs_AddListShowRemove_RoundTripsInTextAndJson()
    {
        var source = NewTree("src");
        source.Write("a.txt", "a");
        var copy = NewTree("copy");
        var container = NewContainer("pairs");

        var docs = await Run("pairs", "add", "docs", source.Root, "blob:" + container, "--schedule", "0 */15 * * * *", "--chunk-size", "1MiB", "--max-delete", "10%", "--force", "--json");
        var local = await Run("pairs", "add", "b-local", source.Root, copy.Root, "--parallel", "4");
        var list = await Run("pairs", "list", "--json");
        var listText = await Run("pairs", "list");
        var show = await Run("pairs", "show", "docs", "--json");
        var showText = await Run("pairs", "show", "b-local");
        var removed = await Run("pairs", "remove", "b-local", "--json");
        var after = await Run("pairs", "list", "--json");
        var gone = await Run("pairs", "show", "b-local");

        Assert.True(docs.ExitCode == 0, docs.ToString());
        Assert.Equal("docs", docs.Json.GetProperty("name").GetString());
        Assert.Equal("0 */15 * * * *", docs.Json.GetProperty("schedule").GetString());
        var options = docs.Json.GetProperty("options");
        Assert.Equal(1024 * 1024, options.GetProperty("chunkSize").GetInt64());
        Assert.Equal("10%", options.GetProperty("maxDelete").GetString());
        Assert.True(options.GetProperty("force").GetBoolean());
        Assert.Equal(0, docs.Long("exitCode"));
        Assert.True(local.ExitCode == 0, local.ToString());
        Assert.Contains("added pair 'b-local'", local.Stdout, StringComparison.Ordinal);

        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal(["b-local", "docs"], Names(list.Json));
        Assert.Equal("local:" + copy.Root, list.Json.GetProperty("pairs")[0].GetProperty("destination").GetString());
        Assert.True(listText.ExitCode == 0, listText.ToString());
        Assert.Matches(@"│ b-local\s*│", listText.Stdout);
        Assert.Contains("parallel 4", listText.Stdout, StringComparison.Ordinal);

        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Equal(docs.Json.GetProperty("pairId").GetString(), show.Json.GetProperty("pairId").GetString());
        Assert.Equal("local:" + source.Root, show.Json.GetProperty("source").GetString());
        Assert.EndsWith("/" + container, show.Json.GetProperty("destination").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, show.Json.GetProperty("activeRunId").ValueKind);
        Assert.True(showText.ExitCode == 0, showText.ToString());
        Assert.Contains("Active run", showText.Stdout, StringComparison.Ordinal);
        Assert.Contains("local:" + source.Root, showText.Stdout, StringComparison.Ordinal);

        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Equal("b-local", removed.Json.GetProperty("name").GetString());
        Assert.Equal(["docs"], Names(after.Json));
        Assert.Equal(3, gone.ExitCode);
        Assert.Contains("no pair named 'b-local'", gone.Stderr, StringComparison.Ordinal);
        Assert.Contains("syncfn pairs list", gone.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pairs_BadInputDuplicateAndUnknown_ClearErrorsDistinctCodesNothingStored()
    {
        var source = NewTree("src");
        var container = NewContainer("bad");
        var blob = "blob:" + container;

        var badName = await Run("pairs", "add", "no/slashes", source.Root, blob);
        var badCron = await Run("pairs", "add", "x", source.Root, blob, "--schedule", "*/5 * * * *");
        var badMaxDelete = await Run("pairs", "add", "x", source.Root, blob, "--max-delete", "ten", "--json");
        var badParallel = await Run("pairs", "add", "x", source.Root, blob, "--parallel", "101");
        var badEndpoint = await Run("pairs", "add", "x", source.Root, "nope:somewhere");
        var overlap = await Run("pairs", "add", "x", source.Root, source.PathOf("inner"));
        var first = await Run("pairs", "add", "once", source.Root, blob);
        var duplicate = await Run("pairs", "add", "once", source.Root, blob, "--json");
        var list = await Run("pairs", "list", "--json");
        var unknownShow = await Run("pairs", "show", "missing", "--json");
        var unknownRemove = await Run("pairs", "remove", "missing");
        var badShow = await Run("pairs", "show", "bad name");
        var unknownSync = await Run("sync", "missing");

        AssertUsage(badName, "pair name 'no/slashes'");
        AssertUsage(badCron, "--schedule");
        AssertUsage(badCron, "six-field");
        AssertUsage(badMaxDelete, "--max-delete");
        Assert.Equal(2, badMaxDelete.Long("exitCode"));
        AssertUsage(badParallel, "--parallel");
        AssertUsage(badEndpoint, "destination");
        AssertUsage(overlap, "overlap");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(duplicate.ExitCode == 4, duplicate.ToString());
        Assert.Contains("a pair named 'once' exists", duplicate.Stderr, StringComparison.Ordinal);
        Assert.Equal(4, duplicate.Long("exitCode"));
        Assert.Equal(["once"], Names(list.Json));
        Assert.True(unknownShow.ExitCode == 3, unknownShow.ToString());
        Assert.Contains("no pair named 'missing'", unknownShow.Json.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(unknownRemove.ExitCode == 3, unknownRemove.ToString());
        AssertUsage(badShow, "pair name 'bad name'");
        Assert.True(unknownSync.ExitCode == 3, unknownSync.ToString());
        Assert.Contains("no pair named 'missing'", unknownSync.Stderr, StringComparison.Ordinal);
        Assert.Contains("'syncfn pairs list' shows the named pairs", unknownSync.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SyncName_StoredPair_RunsLikeSyncOfItsEndpoints()
    {
        var source = NewTree("src");
        CliSyncTests.WriteAwkwardTree(source);
        var container = NewContainer("named");
        var added = await Run("pairs", "add", "docs", source.Root, "blob:" + container, "--chunk-size", "1MiB", "--json");

        var named = await Run("sync", "docs", "--json");
        var byEndpoints = await Run("sync", source.Root, "blob:" + container, "--json");

        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.True(named.ExitCode == 0, named.ToString());
        Assert.Equal(source.Snapshot(), await PrivateBlobSnapshotAsync(container));
        Assert.Equal(source.Snapshot().Count, named.Long("transferredByThisProcess"));
        Assert.Equal(added.Json.GetProperty("pairId").GetString(), named.Json.GetProperty("pairId").GetString());

        // The same pair (id, baseline): syncing its endpoints afterwards finds nothing to do.
        Assert.True(byEndpoints.ExitCode == 0, byEndpoints.ToString());
        Assert.Equal(named.Json.GetProperty("pairId").GetString(), byEndpoints.Json.GetProperty("pairId").GetString());
        Assert.Equal(0, byEndpoints.Long("transferredByThisProcess"));

        // The stored chunk size reached the run: its options row says 1 MiB.
        var run = (await RunRowsAsync()).Single(r => r.RunId == named.Json.GetProperty("runId").GetString());
        Assert.Equal(1024 * 1024, JsonDocument.Parse(run.OptionsJson).RootElement.GetProperty("chunkSize").GetInt64());
    }

    [Fact]
    public async Task SyncName_FlagGiven_OverridesStoredOptionForThatRunOnly()
    {
        var source = NewTree("src");
        for (var i = 0; i < 5; i++)
        {
            source.Write($"f{i}.txt", $"file {i}");
        }

        var container = NewContainer("override");
        var added = await Run("pairs", "add", "guarded", source.Root, "blob:" + container, "--max-delete", "1");
        var first = await Run("sync", "guarded", "--json");
        source.Delete("f0.txt");
        source.Delete("f1.txt");
        source.Delete("f2.txt");

        var held = await Run("sync", "guarded", "--json");
        var afterHeld = await PrivateBlobSnapshotAsync(container);
        var allowed = await Run("sync", "guarded", "--max-delete", "3", "--json");
        var shown = await Run("pairs", "show", "guarded", "--json");

        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(held.ExitCode == 5, held.ToString());
        Assert.Equal(3, held.Long("heldBackDeletes"));
        Assert.Equal(5, afterHeld.Count);
        Assert.True(allowed.ExitCode == 0, allowed.ToString());
        Assert.Equal(source.Snapshot(), await PrivateBlobSnapshotAsync(container));
        Assert.Equal("1", shown.Json.GetProperty("options").GetProperty("maxDelete").GetString());
    }

    [Fact]
    public async Task SyncName_DryRun_PlansEverythingAndWritesNothing()
    {
        var source = NewTree("src");
        source.Write("one.txt", "one");
        source.Write("sub/two.txt", "two");
        var target = NewTree("target");
        var added = await Run("pairs", "add", "preview", source.Root, target.Root);

        var dry = await Run("sync", "preview", "--dry-run", "--json");

        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.True(dry.Json.GetProperty("dryRun").GetBoolean());
        Assert.Equal(2, dry.Json.GetProperty("planned").GetArrayLength());
        Assert.Empty(target.Snapshot());
    }

    private static void AssertUsage(CliResult result, string named)
    {
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(named, result.Stderr, StringComparison.Ordinal);
    }

    private static List<string> Names(JsonElement json) =>
        [.. json.GetProperty("pairs").EnumerateArray().Select(p => p.GetProperty("name").GetString()!)];
}
