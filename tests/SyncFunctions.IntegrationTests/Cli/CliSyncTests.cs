using SyncFunctions.IntegrationTests.Infrastructure;
using SyncFunctions.Tests.Stores;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>End-to-end: syncfn sync between local folders and blob containers on Azurite.</summary>
[Collection("azurite")]
public sealed class CliSyncTests : CliTestBase
{
    public CliSyncTests(AzuriteFixture azurite)
        : base(azurite)
    {
    }

    /// <summary>Names that trip up encoders: spaces, unicode, '#', '%', '+', deep folders, an empty file.</summary>
    internal static void WriteAwkwardTree(TestTree tree)
    {
        tree.Write("plain.txt", "hello");
        tree.Write("with space/file name.txt", "spaces");
        tree.Write("unicodé/日本語/ファイル.txt", "unicode");
        tree.Write("hash#and%percent+plus.txt", "#%+");
        tree.Write("a/b/c/d/e/f/g/deep.bin", TestTree.RandomBytes(70_000, seed: 1));
        tree.Write("empty.txt", []);
        tree.Write("a-b", "sorts before a/");
        tree.Write("a/x", "sorts after a-b");
        tree.Write("big.bin", TestTree.RandomBytes(3 * 1024 * 1024 + 17, seed: 2));
    }

    [Fact]
    public async Task Sync_LocalToBlobToLocal_RoundTripIsByteIdentical()
    {
        var source = NewTree("src");
        WriteAwkwardTree(source);
        var restored = NewTree("restored");
        var container = NewContainer("roundtrip");

        var up = await Syncfn("sync", source.Root, $"blob:{container}", "--chunk-size", "1MiB", "--json");
        var down = await Syncfn("sync", $"blob:{container}", $"local:{restored.Root}", "--json");

        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Equal(source.Snapshot(), restored.Snapshot());
        Assert.Equal(source.Snapshot(), await BlobSnapshotAsync(container));
        Assert.Equal(source.Snapshot().Count, up.Long("transferredByThisProcess"));
    }

    [Fact]
    public async Task Sync_NoOpRerun_TransfersZeroBytes()
    {
        var source = NewTree("src");
        WriteAwkwardTree(source);
        var container = NewContainer("noop");
        var first = await Syncfn("sync", source.Root, $"blob:{container}", "--json");
        Assert.True(first.ExitCode == 0, first.ToString());

        var second = await Syncfn("sync", source.Root, $"blob:{container}", "--json");

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(0, second.Long("bytesTransferred"));
        Assert.Equal(0, second.Long("transferredByThisProcess"));
        Assert.Equal("Succeeded", second.Json.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Sync_ModifyDeleteRename_PropagateToDestination()
    {
        var source = NewTree("src");
        WriteAwkwardTree(source);
        var container = NewContainer("changes");
        var first = await Syncfn("sync", source.Root, $"blob:{container}", "--json");
        Assert.True(first.ExitCode == 0, first.ToString());

        source.Write("plain.txt", "hello, changed");
        source.Write("a/x", "same size!!!!!!");
        source.Delete("hash#and%percent+plus.txt");
        source.Move("with space/file name.txt", "renamed/new name.txt");
        var second = await Syncfn("sync", source.Root, $"blob:{container}", "--json");

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(source.Snapshot(), await BlobSnapshotAsync(container));
        Assert.Equal(3, second.Long("transferredByThisProcess"));
    }

    [Fact]
    public async Task Sync_MoreDeletesThanMaxDelete_HoldsBackThenCarriesOver()
    {
        var source = NewTree("src");
        for (var i = 0; i < 5; i++)
        {
            source.Write($"f{i}.txt", $"file {i}");
        }

        var container = NewContainer("maxdelete");
        var first = await Syncfn("sync", source.Root, $"blob:{container}", "--json");
        Assert.True(first.ExitCode == 0, first.ToString());
        source.Delete("f0.txt");
        source.Delete("f1.txt");
        source.Delete("f2.txt");

        var held = await Syncfn("sync", source.Root, $"blob:{container}", "--max-delete", "1", "--json");
        var afterHeld = await BlobSnapshotAsync(container);
        var allowed = await Syncfn("sync", source.Root, $"blob:{container}", "--max-delete", "3", "--json");

        Assert.True(held.ExitCode == 5, held.ToString());
        Assert.Equal(3, held.Long("heldBackDeletes"));
        Assert.Equal(5, afterHeld.Count);
        Assert.True(allowed.ExitCode == 0, allowed.ToString());
        Assert.Equal(source.Snapshot(), await BlobSnapshotAsync(container));
    }

    [Fact]
    public async Task Sync_BlobToBlob_DownloadsNoBodyBytes()
    {
        var source = NewTree("src");
        WriteAwkwardTree(source);
        var first = NewContainer("b2b-src");
        var second = NewContainer("b2b-dst");
        var up = await Syncfn("sync", source.Root, $"blob:{first}", "--chunk-size", "1MiB", "--json");
        Assert.True(up.ExitCode == 0, up.ToString());

        var copy = await Syncfn("sync", $"blob:{first}", $"blob:{second}/mirror", "--chunk-size", "1MiB", "--json");

        Assert.True(copy.ExitCode == 0, copy.ToString());
        Assert.Equal(0, copy.Long("bytesTransferred"));
        Assert.Equal(source.Snapshot().Count, copy.Long("transferredByThisProcess"));
        var expected = new SortedDictionary<string, string>(
            source.Snapshot().ToDictionary(kv => "mirror/" + kv.Key, kv => kv.Value), StringComparer.Ordinal);
        Assert.Equal(expected, await BlobSnapshotAsync(second));
    }

    [Fact]
    public async Task Sync_InvalidLocalNames_ListedAsSkippedWithReason()
    {
        var source = NewTree("src");
        source.Write("good.txt", "fine");
        File.WriteAllText(Path.Combine(source.Root, "back\\slash.txt"), "backslash");
        File.WriteAllText(Path.Combine(source.Root, "control\u0001char.txt"), "control");
        var container = NewContainer("invalid");

        var result = await Syncfn("sync", source.Root, $"blob:{container}", "--json");

        Assert.True(result.ExitCode is 0 or 1, result.ToString());
        var skipped = result.Json.GetProperty("skippedItems").EnumerateArray()
            .ToDictionary(e => e.GetProperty("path").GetString()!, e => e.GetProperty("reason").GetString()!);
        Assert.Contains(skipped, kv => kv.Key.Contains("back", StringComparison.Ordinal) && kv.Value.Contains("backslash", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(skipped, kv => kv.Key.Contains("control", StringComparison.Ordinal) && kv.Value.Contains("control", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(["good.txt"], (await BlobSnapshotAsync(container)).Keys);
    }

    [Fact]
    public async Task Sync_FifoInLocalSource_SkippedWithReasonAndFilesArrive()
    {
        var source = NewTree("src");
        source.Write("one.txt", "one");
        source.Write("sub/two.txt", "two");
        SpecialFiles.MakeFifo(source.PathOf("pipe"));
        var container = NewContainer("fifo");

        // CliRunner kills a run that outlives its timeout: a FIFO that blocks the sync fails the test.
        var result = await Syncfn("sync", source.Root, $"blob:{container}", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("Succeeded", result.Json.GetProperty("outcome").GetString());
        var skipped = result.Json.GetProperty("skippedItems").EnumerateArray()
            .Select(e => (e.GetProperty("path").GetString(), e.GetProperty("reason").GetString()));
        Assert.Equal([("pipe", "a named pipe (FIFO), not a file")], skipped);
        var blobs = await BlobSnapshotAsync(container);
        Assert.Equal(["one.txt", "sub/two.txt"], blobs.Keys);
        Assert.Equal([Sha256("one"), Sha256("two")], blobs.Values);
    }

    private static string Sha256(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
