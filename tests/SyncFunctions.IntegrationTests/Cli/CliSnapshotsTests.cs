using System.Text.Json;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>
/// End-to-end on Azurite: a named pair into <c>repo:CONTAINER/PREFIX</c>, then <c>snapshots list|show|diff</c> and
/// <c>restore</c> of the newest and an older snapshot, whole and by path, resumed; the errors a user meets first.
/// </summary>
[Collection("azurite")]
public sealed class CliSnapshotsTests(AzuriteFixture azurite) : PrivateAzuriteCliTestBase(azurite)
{
    [Fact]
    public async Task SyncIntoRepository_ListShowDiffRestore_EachSnapshotRestoresAsItWas()
    {
        var source = NewTree("src");
        source.Write("docs/a.txt", "alpha");
        source.Write("docs/b.txt", "bravo");
        source.Write("big.bin", TestTree.RandomBytes(3_000_000, 1));
        var repo = "repo:" + NewContainer("snaps") + "/team";
        Assert.Equal(0, (await Run("pairs", "add", "docs", source.Root, repo)).ExitCode);
        var first = await Run("sync", "docs");
        Assert.True(first.ExitCode == 0, first.ToString());
        var original = source.Snapshot();

        source.Write("docs/a.txt", "alpha, edited");
        source.Delete("docs/b.txt");
        source.Write("new.txt", "new");
        var second = await Run("sync", "docs", "--json");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(3, second.Json.GetProperty("total").GetInt64()); // the big file is unchanged: not sent again

        var list = await Run("snapshots", "list", repo, "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        var snapshots = list.Json.GetProperty("snapshots").EnumerateArray().ToList();
        Assert.Equal(2, snapshots.Count);
        Assert.All(snapshots, s => Assert.Equal("docs", s.GetProperty("pair").GetString()));
        Assert.Equal((3L, 3_000_010L), (snapshots[0].GetProperty("files").GetInt64(), snapshots[0].GetProperty("bytes").GetInt64()));
        var (older, newer) = (snapshots[0].GetProperty("id").GetString()!, snapshots[1].GetProperty("id").GetString()!);
        Assert.Equal(older, snapshots[1].GetProperty("parent").GetString());

        var diff = await Run("snapshots", "diff", repo, older[..8], "latest", "--json");
        Assert.True(diff.ExitCode == 0, diff.ToString());
        Assert.Equal((1, 1, 1), (diff.Json.GetProperty("added").GetInt32(), diff.Json.GetProperty("removed").GetInt32(), diff.Json.GetProperty("modified").GetInt32()));
        Assert.Equal(["docs/a.txt", "docs/b.txt", "new.txt"], diff.Json.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("path").GetString()!).ToArray());

        var show = await Run("snapshots", "show", repo, newer, "--path", "docs", "--json");
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Equal(["docs/a.txt"], show.Json.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()!).ToArray());

        var latest = NewTree("latest");
        var restored = await Run("restore", repo, "latest", latest.Root, "--json");
        Assert.True(restored.ExitCode == 0, restored.ToString());
        Assert.Equal(source.Snapshot(), latest.Snapshot());
        var again = await Run("restore", repo, "latest", latest.Root, "--json");
        Assert.Equal((0L, 3L), (again.Json.GetProperty("filesWritten").GetInt64(), again.Json.GetProperty("filesSkipped").GetInt64()));

        var old = NewTree("old");
        Assert.Equal(0, (await Run("restore", repo, older, old.Root)).ExitCode);
        Assert.Equal(original, old.Snapshot());
        var part = NewTree("part");
        Assert.Equal(0, (await Run("restore", repo, older, part.Root, "--path", "docs")).ExitCode);
        Assert.Equal(original.Where(f => f.Key.StartsWith("docs/", StringComparison.Ordinal)), part.Snapshot());
    }

    [Fact]
    public async Task RepositoryCommands_BadInput_ClearErrorsAndExitCodes()
    {
        var source = NewTree("src");
        source.Write("a.txt", "a");
        var repo = "repo:" + NewContainer("errs");

        var asSource = await Run("sync", repo, NewTree("out").Root);
        var notRepo = await Run("snapshots", "list", "blob:" + NewContainer("plain"));
        var empty = await Run("snapshots", "list", repo, "--json");
        Assert.Equal(0, (await Run("sync", source.Root, repo)).ExitCode);
        var unknown = await Run("restore", repo, "abcdef12", NewTree("r").Root);
        var tooShort = await Run("restore", repo, "ab", NewTree("r2").Root);
        var intoRepo = await Run("restore", repo, "latest", repo);

        Assert.True(asSource.ExitCode == 2 && asSource.Stderr.Contains("destination only", StringComparison.Ordinal), asSource.ToString());
        Assert.True(notRepo.ExitCode == 2 && notRepo.Stderr.Contains("repo:CONTAINER", StringComparison.Ordinal), notRepo.ToString());
        Assert.True(empty.ExitCode == 3 && empty.Json.GetProperty("error").GetString()!.Contains("no repository", StringComparison.Ordinal), empty.ToString());
        Assert.True(unknown.ExitCode == 3 && unknown.Stderr.Contains("no snapshot abcdef12", StringComparison.Ordinal), unknown.ToString());
        Assert.True(tooShort.ExitCode == 3 && tooShort.Stderr.Contains("at least 4", StringComparison.Ordinal), tooShort.ToString());
        Assert.True(intoRepo.ExitCode == 2, intoRepo.ToString());
    }

    [Fact]
    public async Task RepoVerifyAndStats_CleanThenAMissingPackNamedWithExitOne()
    {
        var source = NewTree("src");
        for (var i = 0; i < 20; i++)
        {
            source.Write($"f{i}.bin", TestTree.RandomBytes(20_000, i));
            source.Write($"copy/f{i}.bin", TestTree.RandomBytes(20_000, i)); // duplicates: stored once
        }

        var container = NewContainer("verify");
        var repo = "repo:" + container;
        Assert.Equal(0, (await Run("sync", source.Root, repo)).ExitCode);

        var clean = await Run("repo", "verify", repo, "--read-data", "--json");
        var stats = await Run("repo", "stats", repo, "--json");
        var badSubset = await Run("repo", "verify", repo, "--subset", "10%");

        Assert.True(clean.ExitCode == 0 && clean.Json.GetProperty("clean").GetBoolean(), clean.ToString());
        Assert.Equal(clean.Json.GetProperty("packs").GetInt32(), clean.Json.GetProperty("packsRead").GetInt32());
        var s = stats.Json.GetProperty("stats");
        Assert.Equal(800_000L, s.GetProperty("logicalBytes").GetInt64());
        Assert.Equal(400_000L, s.GetProperty("uniqueLogicalBytes").GetInt64());
        Assert.True(s.GetProperty("dedupRatio").GetDouble() > 1.9, stats.ToString());
        Assert.True(badSubset.ExitCode == 2, badSubset.ToString());

        var blobs = new global::Azure.Storage.Blobs.BlobServiceClient(PrivateStorage).GetBlobContainerClient(container);
        string? pack = null;
        await foreach (var blob in blobs.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, "packs/", CancellationToken.None))
        {
            pack ??= blob.Name;
        }

        await blobs.DeleteBlobAsync(pack);
        var damaged = await Run("repo", "verify", repo, "--json");

        Assert.True(damaged.ExitCode == 1, damaged.ToString());
        Assert.Contains(damaged.Json.GetProperty("problems").EnumerateArray(), p => p.GetProperty("object").GetString() == pack && p.GetProperty("damage").GetString() == "Missing");
    }

    [Fact]
    public async Task ForgetAndGc_DryRunsChangeNothing_ForgetKeepsTheLatest_GcFindsWhatNoSnapshotUsesAndSparesItWhileYoung()
    {
        var source = NewTree("src");
        var repo = "repo:" + NewContainer("forget");
        for (var i = 0; i < 3; i++)
        {
            source.Write("f.bin", TestTree.RandomBytes(50_000, i)); // each snapshot has other content
            Assert.Equal(0, (await Run("sync", source.Root, repo)).ExitCode);
        }

        var dry = await Run("forget", repo, "--keep-last", "1", "--dry-run", "--json");
        var stillThree = await Run("snapshots", "list", repo, "--json");
        var forget = await Run("forget", repo, "--keep-last", "1", "--json");
        var left = await Run("snapshots", "list", repo, "--json");
        var gcDry = await Run("gc", repo, "--min-age", "0s", "--dry-run", "--json");
        var gc = await Run("gc", repo, "--min-age", "0s", "--json");
        var noRule = await Run("forget", repo);
        var restored = NewTree("restored");
        var restore = await Run("restore", repo, "latest", restored.Root);

        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Equal(2, dry.Json.GetProperty("remove").GetArrayLength());
        Assert.Equal(3, stillThree.Json.GetProperty("snapshots").GetArrayLength());
        Assert.Equal(2, forget.Json.GetProperty("removed").GetInt32());
        var kept = Assert.Single(left.Json.GetProperty("snapshots").EnumerateArray());
        Assert.Equal(stillThree.Json.GetProperty("snapshots")[2].GetProperty("id").GetString(), kept.GetProperty("id").GetString());
        Assert.True(gcDry.ExitCode == 0 && gcDry.Json.GetProperty("report").GetProperty("dryRun").GetBoolean(), gcDry.ToString());
        Assert.Null(gcDry.Json.GetProperty("report").GetProperty("markWritten").GetString());
        // The forgotten versions left a pack, an index and a root tree each; minutes old, inside the clock-skew margin,
        // they are neither marked nor deleted yet (the unit tests move the clock through both phases).
        var report = gc.Json.GetProperty("report");
        Assert.True(report.GetProperty("unreferencedTooYoung").GetInt32() == 6, gc.ToString());
        Assert.Equal(0, report.GetProperty("marked").GetProperty("total").GetInt32());
        Assert.Equal(0, report.GetProperty("deleted").GetProperty("total").GetInt32());
        Assert.True(noRule.ExitCode == 2, noRule.ToString());
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(source.Snapshot(), restored.Snapshot());
    }

    [Fact]
    public async Task CompactAfterForget_Json_ReportsThePlanAndTheDryRunMatches_YoungPacksAreLeftAloneAndBadValuesAreUsageErrors()
    {
        var source = NewTree("src");
        var repo = "repo:" + NewContainer("compact");
        var shared = TestTree.RandomBytes(60_000, 7);
        for (var i = 0; i < 3; i++)
        {
            source.Write("shared.bin", shared);
            source.Write("f.bin", TestTree.RandomBytes(50_000, 10 + i)); // each snapshot has other content
            Assert.Equal(0, (await Run("sync", source.Root, repo)).ExitCode);
        }

        Assert.Equal(0, (await Run("forget", repo, "--keep-last", "1")).ExitCode);
        var dry = await Run("compact", repo, "--min-age", "0s", "--dry-run", "--json");
        var real = await Run("compact", repo, "--min-age", "0s", "--threshold", "90%", "--json");
        var badThreshold = await Run("compact", repo, "--threshold", "0", "--json");
        var badMax = await Run("compact", repo, "--max", "0");
        var verify = await Run("repo", "verify", repo, "--json");
        var restored = NewTree("restored");
        var restore = await Run("restore", repo, "latest", restored.Root);

        Assert.True(dry.ExitCode == 0, dry.ToString());
        var dryReport = dry.Json.GetProperty("report");
        Assert.True(dryReport.GetProperty("dryRun").GetBoolean());
        Assert.True(dryReport.GetProperty("packsScanned").GetInt32() >= 1, dry.ToString());
        Assert.True(real.ExitCode == 0, real.ToString());
        var report = real.Json.GetProperty("report");
        Assert.False(report.GetProperty("dryRun").GetBoolean());
        Assert.Equal(dryReport.GetProperty("packsScanned").GetInt32(), report.GetProperty("packsScanned").GetInt32());

        // Minutes old, inside the clock-skew margin: no pack is sparse yet, so nothing is marked, repacked or written
        // (the unit tests move the clock through the marks).
        Assert.Equal(0, report.GetProperty("packsRepacked").GetInt32());
        Assert.Equal(0, report.GetProperty("packsMarked").GetInt32());
        Assert.Equal(0, report.GetProperty("packsWritten").GetInt32());
        Assert.Null(report.GetProperty("indexWritten").GetString());
        Assert.Equal(0, real.Json.GetProperty("repack").GetArrayLength());
        Assert.True(badThreshold.ExitCode == 2, badThreshold.ToString());
        Assert.Contains("--threshold", badThreshold.Json.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(badMax.ExitCode == 2, badMax.ToString());
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(source.Snapshot(), restored.Snapshot());
    }

    [Fact]
    public async Task CompactWithKeepRules_ForgetsThenMergesRecords_ListingRestoreVerifyAndTheNextSyncStillWork()
    {
        var source = NewTree("src");
        var repo = "repo:" + NewContainer("merge");
        for (var i = 0; i < 4; i++)
        {
            source.Write("f.bin", TestTree.RandomBytes(20_000, 40 + i));
            Assert.Equal(0, (await Run("sync", source.Root, repo)).ExitCode);
        }

        var before = await Run("snapshots", "list", repo, "--json");
        var dry = await Run("compact", repo, "--keep-last", "3", "--merge-records", "2", "--dry-run", "--json");
        var real = await Run("compact", repo, "--keep-last", "3", "--merge-records", "2", "--json");
        var text = await Run("compact", repo, "--merge-records", "2");
        var badMerge = await Run("compact", repo, "--merge-records", "0");
        var after = await Run("snapshots", "list", repo, "--json");
        var verify = await Run("repo", "verify", repo, "--json");
        var oldest = after.Json.GetProperty("snapshots")[0].GetProperty("id").GetString()!;
        var restored = NewTree("restored");
        var restore = await Run("restore", repo, oldest, restored.Root);
        source.Write("g.bin", TestTree.RandomBytes(1000, 50));
        var sync = await Run("sync", source.Root, repo);
        var last = await Run("snapshots", "list", repo, "--json");

        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Equal(1, dry.Json.GetProperty("forget").GetProperty("remove").GetArrayLength());
        Assert.Equal(2, dry.Json.GetProperty("records").GetProperty("recordsMerged").GetInt32());
        Assert.Equal(4, before.Json.GetProperty("snapshots").GetArrayLength());
        Assert.True(real.ExitCode == 0, real.ToString());
        Assert.Equal(1, real.Json.GetProperty("forget").GetProperty("removed").GetInt32());
        var records = real.Json.GetProperty("records");
        Assert.Equal((3, 2, 1, 1), (records.GetProperty("records").GetInt32(), records.GetProperty("recordsMerged").GetInt32(), records.GetProperty("setsWritten").GetInt32(), records.GetProperty("keptAlone").GetInt32()));
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("merged 0 snapshot records and 0 record sets into 0 sets", text.Stdout, StringComparison.Ordinal);
        Assert.True(badMerge.ExitCode == 2, badMerge.ToString());
        Assert.Equal(
            before.Json.GetProperty("snapshots").EnumerateArray().Skip(1).Select(s => s.GetProperty("id").GetString()),
            after.Json.GetProperty("snapshots").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.True(verify.Json.GetProperty("clean").GetBoolean(), verify.ToString());
        Assert.Equal(1, verify.Json.GetProperty("recordSets").GetInt32());
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.True(File.Exists(restored.PathOf("f.bin")));
        Assert.True(sync.ExitCode == 0, sync.ToString());
        Assert.Equal(4, last.Json.GetProperty("snapshots").GetArrayLength());
    }
}
