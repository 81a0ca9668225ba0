using CsCheck;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>Random valid values of each format decode to themselves, and re-encode to the same stored bytes.</summary>
public sealed class RoundTripTests
{
    private const int Iterations = 200;

    [Fact]
    public void Index_RandomIndexes_RoundTrip() => FormatGens.Index.Sample(index =>
    {
        var stored = index.Encode();

        var decoded = PackIndex.Decode(stored.Id, stored.Bytes);

        Assert.Equal(index, decoded);
        Assert.Equal(stored.Bytes, decoded.Encode().Bytes);
    }, iter: Iterations);

    [Fact]
    public void Tree_RandomTrees_RoundTrip() => FormatGens.Tree.Sample(tree =>
    {
        var stored = tree.Encode();

        var decoded = TreeManifest.Decode(stored.Id, stored.Bytes);

        Assert.Equal(tree, decoded);
        Assert.Equal(stored.Bytes, decoded.Encode().Bytes);
    }, iter: Iterations);

    [Fact]
    public void Snapshot_RandomRecords_RoundTrip() => FormatGens.Snapshot.Sample(snapshot =>
    {
        var stored = snapshot.Encode();

        var decoded = SnapshotRecord.Decode(stored.Id, stored.Bytes);

        Assert.Equal(snapshot, decoded);
        Assert.Equal(stored.Bytes, decoded.Encode().Bytes);
    }, iter: Iterations);

    [Fact]
    public void HeadAndConfig_RandomValues_RoundTrip()
    {
        FormatGens.Head.Sample(head => Assert.Equal(head, SnapshotHead.Decode(head.Pair.Id, head.Encode())), iter: Iterations);
        FormatGens.Config.Sample(config => Assert.Equal(config, RepositoryConfig.Decode(config.Encode())), iter: Iterations);
    }

    [Fact]
    public void Merge_RandomIndexes_KeepsEveryLocationOnceInPackOrder() =>
        Gen.Select(FormatGens.Index.Array[1, 4], Gen.Int[0, 3]).Sample((indexes, duplicated) =>
        {
            // An index listed twice (a retried write) and a chunk stored in two packs (two writers) both merge cleanly.
            var all = indexes.Append(indexes[duplicated % indexes.Length]).ToList();

            var merged = PackIndex.Merge(all);

            var expected = all.SelectMany(i => i.Packs).SelectMany(p => p.Chunks.Select(e => new ChunkLocation(p.PackId, e))).Distinct()
                .OrderBy(l => l.PackId).ThenBy(l => l.Entry.Offset);
            Assert.Equal(expected, merged.Packs.SelectMany(p => p.Chunks.Select(e => new ChunkLocation(p.PackId, e))));
            Assert.Equal(all.SelectMany(i => i.Supersedes).Distinct().Order(), merged.Supersedes);
            Assert.Equal(merged, PackIndex.Decode(merged.Encode().Id, merged.Encode().Bytes));
        }, iter: 100);

    [Fact]
    public void Merge_ChunkInTwoPacks_LocatesBothByPackId()
    {
        var chunk = ObjectId.Of("shared"u8);
        var (low, high) = (ObjectId.Of("pack b"u8), ObjectId.Of("pack a"u8));
        if (high < low)
        {
            (low, high) = (high, low);
        }

        var merged = PackIndex.Merge(
        [
            new PackIndex([new IndexedPack(high, [new PackEntry(chunk, 5, 10, 10, false)])]),
            new PackIndex([new IndexedPack(low, [new PackEntry(chunk, 5, 4, 10, true)])]),
        ]);

        Assert.Equal([low, high], merged.ToLookup()[chunk].Select(l => l.PackId));
    }

    [Fact]
    public void Merge_IndexesDisagreeingAboutAChunksPlace_IsMalformed()
    {
        var pack = ObjectId.Of("pack"u8);
        var chunk = ObjectId.Of("chunk"u8);

        var e = Assert.Throws<RepositoryFormatException>(() => PackIndex.Merge(
        [
            new PackIndex([new IndexedPack(pack, [new PackEntry(chunk, 5, 10, 10, false)])]),
            new PackIndex([new IndexedPack(pack, [new PackEntry(chunk, 6, 10, 10, false)])]),
        ]));

        Assert.Equal(FormatDamage.Malformed, e.Damage);
        Assert.StartsWith($"pack {pack}: indexes disagree about chunk {chunk}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Records_BuiltFromUnsortedLists_AreEqualToSortedOnes()
    {
        var tree = FormatExamples.Tree();
        var snapshot = FormatExamples.Snapshot();

        Assert.Equal(tree, new TreeManifest(tree.Entries.Reverse()));
        Assert.Equal(["daily", "manual"], snapshot.Tags);
        Assert.Equal(snapshot, snapshot with { Tags = ["daily", "manual", "daily"] });
        Assert.Equal(tree.Encode().Id, new TreeManifest(tree.Entries.Reverse()).Encode().Id);
    }

    [Fact]
    public void TreeEntry_Offsets_FollowFromTheChunkLengths()
    {
        var file = FormatExamples.Tree().Find("a.txt")!;

        Assert.Equal(FormatExamples.TextChunk.Length + FormatExamples.NoiseChunk.Length, file.Size);
        Assert.Equal([FormatExamples.TextChunk.Length, FormatExamples.NoiseChunk.Length], file.Chunks.Select(c => c.Length));
        Assert.Null(FormatExamples.Tree().Find("missing"));
    }

    [Fact]
    public void Tree_LargeDirectory_RoundTripsThroughManyZstdBlocks()
    {
        var entries = Enumerable.Range(0, 10_000).Select(i => TreeEntry.File(
            $"file-{i:D6}.dat", FormatExamples.Time.AddSeconds(i), ObjectId.Of(BitConverter.GetBytes(i)), [new ChunkRef(ObjectId.Of(BitConverter.GetBytes(~i)), 1 + i)]));
        var tree = new TreeManifest(entries);

        var stored = tree.Encode();

        Assert.True(tree.ToCanonicalJson().Length > 2 * 1024 * 1024, "more than a level-3 window");
        Assert.Equal(tree, TreeManifest.Decode(stored.Id, stored.Bytes));
    }

    [Fact]
    public void Pack_MebibyteChunks_RoundTrip()
    {
        var text = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 60_000).Select(i => $"line {i % 977}\n")));
        var noise = FormatExamples.Noise("big", 1024 * 1024);

        var pack = PackTests.Build([text, noise]);
        var reader = PackReader.Open(pack.Id, pack.Bytes);

        Assert.True(pack.Entries[0].Compressed);
        Assert.False(pack.Entries[1].Compressed);
        Assert.Equal(text, reader.ReadChunk(ObjectId.Of(text)));
        Assert.Equal(noise, reader.ReadChunk(ObjectId.Of(noise)));
    }
}
