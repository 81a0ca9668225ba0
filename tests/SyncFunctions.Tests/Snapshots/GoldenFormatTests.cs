using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>
/// The v1 formats pinned by golden files: encoding the fixed examples gives exactly the golden bytes, and decoding
/// the golden bytes gives the examples back. The zstd-compressed formats (index, tree) are pinned on both their
/// compressed bytes and their canonical JSON (the .json beside them, for reading).
/// </summary>
public sealed class GoldenFormatTests
{
    [Fact]
    public void Pack_Example_EncodesToTheGoldenBytes()
    {
        var pack = FormatExamples.Pack();

        Assert.Equal(GoldenFiles.Read("pack-v1.bin"), pack.Bytes);
        Assert.Equal(ObjectId.Of(pack.Bytes), pack.Id);
    }

    [Fact]
    public void Pack_GoldenBytes_DecodeToTheExampleChunks()
    {
        var golden = GoldenFiles.Read("pack-v1.bin");

        var reader = PackReader.Open(ObjectId.Of(golden), golden);

        Assert.Equal(FormatExamples.PackChunks.Select(c => ObjectId.Of(c)), reader.Entries.Select(e => e.ChunkId));
        Assert.Equal([true, false, false], reader.Entries.Select(e => e.Compressed));
        Assert.All(FormatExamples.PackChunks, chunk => Assert.Equal(chunk, reader.ReadChunk(ObjectId.Of(chunk))));
    }

    [Fact]
    public void Index_Example_EncodesToTheGoldenJsonAndCompressedBytes()
    {
        var index = FormatExamples.Index();

        Assert.Equal(GoldenFiles.Read("index-v1.json"), index.ToCanonicalJson());
        Assert.Equal(GoldenFiles.Read("index-v1.zst"), index.Encode().Bytes);
    }

    [Fact]
    public void Index_GoldenBytes_DecodeToTheExample()
    {
        var stored = GoldenFiles.Read("index-v1.zst");

        Assert.Equal(FormatExamples.Index(), PackIndex.Decode(ObjectId.Of(stored), stored));
        Assert.Equal(GoldenFiles.Read("index-v1.json"), Zstd.Decompress("index", stored, 1 << 20));
        Assert.Equal(FormatExamples.Index(), PackIndex.FromCanonicalJson("index", GoldenFiles.Read("index-v1.json")));
    }

    [Fact]
    public void Tree_Example_EncodesToTheGoldenJsonAndCompressedBytes()
    {
        var tree = FormatExamples.Tree();

        Assert.Equal(GoldenFiles.Read("tree-v1.json"), tree.ToCanonicalJson());
        Assert.Equal(GoldenFiles.Read("tree-v1.zst"), tree.Encode().Bytes);
    }

    [Fact]
    public void Tree_GoldenBytes_DecodeToTheExample()
    {
        var stored = GoldenFiles.Read("tree-v1.zst");

        Assert.Equal(FormatExamples.Tree(), TreeManifest.Decode(ObjectId.Of(stored), stored));
        Assert.Equal(GoldenFiles.Read("tree-v1.json"), Zstd.Decompress("tree", stored, 1 << 20));
        Assert.Equal(FormatExamples.Tree(), TreeManifest.FromCanonicalJson("tree", GoldenFiles.Read("tree-v1.json")));
    }

    [Fact]
    public void Snapshot_Example_EncodesToTheGoldenBytesAndBack()
    {
        var stored = FormatExamples.Snapshot().Encode();

        var golden = GoldenFiles.Read("snapshot-v1.json");

        Assert.Equal(golden, stored.Bytes);
        Assert.Equal(FormatExamples.Snapshot(), SnapshotRecord.Decode(ObjectId.Of(golden), golden));
    }

    [Fact]
    public void RecordSet_Example_EncodesToTheGoldenJsonAndCompressedBytes()
    {
        var set = FormatExamples.RecordSet();

        Assert.Equal(GoldenFiles.Read("record-set-v1.json"), set.ToCanonicalJson());
        Assert.Equal(GoldenFiles.Read("record-set-v1.zst"), set.Encode().Bytes);
    }

    [Fact]
    public void RecordSet_GoldenBytes_DecodeToTheExample_WithEachRecordUnderItsOwnSnapshotId()
    {
        var stored = GoldenFiles.Read("record-set-v1.zst");

        var set = SnapshotRecordSet.Decode(ObjectId.Of(stored), stored);

        Assert.Equal(FormatExamples.RecordSet(), set);
        Assert.Contains(set.Records, r => r.Id == ObjectId.Of(GoldenFiles.Read("snapshot-v1.json")) && r.Record == FormatExamples.Snapshot());
        Assert.All(set.Records, r => Assert.Equal(r.Id, r.Record.Encode().Id));
        Assert.Equal(GoldenFiles.Read("record-set-v1.json"), Zstd.Decompress("set", stored, 1 << 20));
    }

    [Fact]
    public void Head_Example_EncodesToTheGoldenBytesAndBack()
    {
        var golden = GoldenFiles.Read("head-v1.json");

        Assert.Equal(golden, FormatExamples.Head().Encode());
        Assert.Equal(FormatExamples.Head(), SnapshotHead.Decode(FormatExamples.PairId, golden));
    }

    [Fact]
    public void Config_Example_EncodesToTheGoldenBytesAndBack()
    {
        var golden = GoldenFiles.Read("config-v1.json");

        Assert.Equal(golden, FormatExamples.Config().Encode());
        Assert.Equal(FormatExamples.Config(), RepositoryConfig.Decode(golden));
    }

    [Fact]
    public void Compress_SameJsonOnFreshAndReusedContexts_GivesTheSameBytes()
    {
        // The ids of new trees and indexes rest on this (the golden .zst files pin it across runs and machines).
        var json = GoldenFiles.Read("tree-v1.json");
        var first = Zstd.Compress(json);
        var again = Zstd.Compress(json);
        byte[]? onAnotherThread = null;
        var thread = new Thread(() => onAnotherThread = Zstd.Compress(json));
        thread.Start();
        thread.Join();

        Assert.Equal(first, again);
        Assert.Equal(first, onAnotherThread);
        Assert.Equal(GoldenFiles.Read("tree-v1.zst"), first);
    }

    [Fact]
    public void GoldenIds_MatchTheExamplesReferences()
    {
        var pack = GoldenFiles.Read("pack-v1.bin");
        var tree = GoldenFiles.Read("tree-v1.zst");
        var snapshot = GoldenFiles.Read("snapshot-v1.json");

        Assert.Equal(ObjectId.Of(pack), FormatExamples.Index().Packs[0].PackId);
        Assert.Equal(ObjectId.Of(tree), FormatExamples.Snapshot().RootTree);
        Assert.Equal(ObjectId.Of(snapshot), FormatExamples.Head().Snapshot);
    }

    [Fact]
    public void GoldenFolder_HoldsExactlyTheExamplesFiles()
    {
        _ = GoldenFiles.Read("pack-v1.bin");

        var files = Directory.GetFiles(GoldenFiles.Folder).Select(f => Path.GetFileName(f)).Where(f => f != ".gitattributes");

        Assert.Equal(FormatExamples.GoldenBytes().Select(g => g.File).Order(StringComparer.Ordinal), files.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void GcMark_Example_EncodesToTheGoldenBytesAndBack()
    {
        var golden = GoldenFiles.Read("gc-mark-v1.json");

        Assert.Equal(golden, FormatExamples.Mark().Encode());
        Assert.Equal(FormatExamples.Mark(), GcMark.Decode("20260104T030405Z-0123456789abcdef", golden));
    }
}
