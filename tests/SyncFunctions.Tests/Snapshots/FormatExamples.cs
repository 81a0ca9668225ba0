using System.Security.Cryptography;
using System.Text;
using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>
/// One fixed, coherent example of every v1 format (the golden files pin their bytes): a pack of three chunks, the
/// index of that pack, a tree whose file is made of two of the chunks, the snapshot of that tree, its pair's head,
/// and a repository config.
/// </summary>
internal static class FormatExamples
{
    public const string PairId = "0123456789abcdef0123456789abcdef";

    /// <summary>Text that compresses (stored as zstd).</summary>
    public static readonly byte[] TextChunk = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog; ", 12)));

    /// <summary>Bytes that do not compress (a SHA-256 chain; stored raw).</summary>
    public static readonly byte[] NoiseChunk = Noise("noise", 300);

    /// <summary>Too short to gain from zstd (stored raw).</summary>
    public static readonly byte[] TinyChunk = "tiny"u8.ToArray();

    public static readonly byte[][] PackChunks = [TextChunk, NoiseChunk, TinyChunk];

    public static readonly DateTimeOffset Time = new DateTimeOffset(2026, 12, 3, 10, 11, 12, TimeSpan.Zero).AddTicks(1234567);

    public static SealedPack Pack()
    {
        var writer = new PackWriter();
        foreach (var chunk in PackChunks)
        {
            writer.Add(chunk);
        }

        return writer.Finish();
    }

    public static PackIndex Index()
    {
        var pack = Pack();
        return new PackIndex([new IndexedPack(pack.Id, pack.Entries)], [ObjectId.Of("an older index"u8)]);
    }

    public static TreeManifest Subtree() => new([TreeEntry.File("notes.md", Time.AddDays(-1), ObjectId.Of(TinyChunk), [Ref(TinyChunk)])]);

    public static TreeManifest Tree() => new(
    [
        TreeEntry.File("a.txt", Time.AddHours(-2), ObjectId.Of([.. TextChunk, .. NoiseChunk]), [Ref(TextChunk), Ref(NoiseChunk)]),
        TreeEntry.File("empty", Time.AddHours(-3), ObjectId.Of([]), []),
        TreeEntry.Directory("sub", Time.AddHours(-4), Subtree().Encode().Id),
        TreeEntry.File("Zebra \"quoted\"\tline\n.txt", Time.AddMinutes(-5), ObjectId.Of(TinyChunk), [Ref(TinyChunk)]),
        TreeEntry.File("\u00fcber-\u65e5\u672c.txt", Time.AddSeconds(-6), ObjectId.Of(TinyChunk), [Ref(TinyChunk)]),
    ]);

    public static SnapshotRecord Snapshot() => new()
    {
        Time = Time,
        Pair = new SnapshotPair(PairId, "docs"),
        Source = "/srv/docs",
        Host = "build-01",
        RootTree = Tree().Encode().Id,
        Files = 5,
        Bytes = TextChunk.Length + NoiseChunk.Length + (3 * TinyChunk.Length),
        Parent = ObjectId.Of("the snapshot before"u8),
        Tags = ["manual", "daily"],
        RunId = "20261203T101112-0a1b2c3d",
    };

    /// <summary>Two snapshots of the example pair: the example record and the one after it.</summary>
    public static SnapshotRecordSet RecordSet()
    {
        var first = Snapshot();
        var second = first with { Time = Time.AddDays(1), Parent = first.Encode().Id, Tags = [], Files = 4, RunId = "20261204T101112-0a1b2c3e" };
        return new SnapshotRecordSet([new StoredSnapshot(first.Encode().Id, first), new StoredSnapshot(second.Encode().Id, second)]);
    }

    public static SnapshotHead Head() => new(new SnapshotPair(PairId, "docs"), Snapshot().Encode().Id, Time);

    public static RepositoryConfig Config() =>
        new(ObjectId.Of("repository"u8), Time.AddDays(-30), new ChunkerParameters(512 * 1024, 1024 * 1024, 8 * 1024 * 1024));

    public static GcMark Mark() => new(Time.AddDays(2), [
        RepositoryLayout.TreePath(Tree().Encode().Id),
        RepositoryLayout.PackPath(Pack().Id),
        RepositoryLayout.IndexPath(Index().Encode().Id),
    ]);

    /// <summary>Every golden file, as the examples encode today.</summary>
    public static IEnumerable<(string File, byte[] Bytes)> GoldenBytes() =>
    [
        ("pack-v1.bin", Pack().Bytes),
        ("index-v1.json", Index().ToCanonicalJson()),
        ("index-v1.zst", Index().Encode().Bytes),
        ("tree-v1.json", Tree().ToCanonicalJson()),
        ("tree-v1.zst", Tree().Encode().Bytes),
        ("snapshot-v1.json", Snapshot().Encode().Bytes),
        ("head-v1.json", Head().Encode()),
        ("config-v1.json", Config().Encode()),
        ("gc-mark-v1.json", Mark().Encode()),
        ("record-set-v1.json", RecordSet().ToCanonicalJson()),
        ("record-set-v1.zst", RecordSet().Encode().Bytes),
    ];

    public static ChunkRef Ref(byte[] chunk) => new(ObjectId.Of(chunk), chunk.Length);

    public static byte[] Noise(string seed, int length)
    {
        var bytes = new byte[length];
        var block = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        for (var at = 0; at < length; at += block.Length)
        {
            block.AsSpan(0, Math.Min(block.Length, length - at)).CopyTo(bytes.AsSpan(at));
            block = SHA256.HashData(block);
        }

        return bytes;
    }
}
