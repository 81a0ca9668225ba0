using CsCheck;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>Generators of valid values of every format, for the round-trip properties.</summary>
internal static class FormatGens
{
    public static readonly Gen<ObjectId> Id = Gen.Byte.Array[ObjectId.ByteLength].Select(b => ObjectId.FromBytes(b));

    /// <summary>Any UTC time a DateTimeOffset holds, to the tick.</summary>
    public static readonly Gen<DateTimeOffset> Time = Gen.Long[DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks].Select(t => new DateTimeOffset(t, TimeSpan.Zero));

    /// <summary>Text of any characters (controls, quotes, non-ASCII, surrogate pairs), without unpaired surrogates.</summary>
    public static readonly Gen<string> Text = Gen.OneOf(
        Gen.String[Gen.Char.AlphaNumeric, 1, 12],
        Gen.String[Gen.Char, 1, 10],
        Gen.OneOf(Gen.Const("a \"b\" \\c"), Gen.Const("tab\tnew\nline"), Gen.Const("\u00fc\u65e5\U0001F600"), Gen.Const("\u007f\u0001\u2028")))
        .Where(s => s.Length > 0 && CanonicalJsonWriter.IsWellFormed(s));

    public static readonly Gen<string> EntryName = Text.Where(n => TreeManifest.ValidateName(n) is null);

    public static readonly Gen<TreeEntry> File =
        Gen.Select(EntryName, Time, Id, Gen.Select(Id, Gen.Int[1, PackFormat.MaxChunkLength], (id, length) => new ChunkRef(id, length)).Array[0, 6])
            .Select((name, modified, hash, chunks) => TreeEntry.File(name, modified, chunks.Length == 0 ? ObjectId.Of([]) : hash, chunks));

    public static readonly Gen<TreeEntry> Directory = Gen.Select(EntryName, Time, Id, TreeEntry.Directory);

    public static readonly Gen<TreeManifest> Tree =
        Gen.Frequency((3, File), (1, Directory)).Array[0, 12].Select(entries => new TreeManifest(entries.DistinctBy(e => e.Name, StringComparer.Ordinal)));

    /// <summary>A pack's entries: in offset order from the header on, some with gaps (an index may list only some chunks).</summary>
    public static readonly Gen<IndexedPack> Pack =
        Gen.Select(Id, Gen.Select(Id, Gen.Int[2, PackFormat.MaxChunkLength], Gen.Bool, Gen.Int[0, 3]).Array[1, 6])
            .Select((packId, chunks) =>
            {
                long offset = PackFormat.HeaderLength;
                var entries = new List<PackEntry>();
                foreach (var (chunkId, raw, compressed, gap) in chunks)
                {
                    var stored = compressed ? Math.Max(1, raw / 3) : raw;
                    offset += gap;
                    entries.Add(new PackEntry(chunkId, offset, stored, raw, compressed));
                    offset += stored;
                }

                return new IndexedPack(packId, entries.Where(e => e.End < PackFormat.MaxPackLength - PackFormat.TrailerLength));
            })
            .Where(p => p.Chunks.Count > 0);

    public static readonly Gen<PackIndex> Index =
        Gen.Select(Pack.Array[0, 5], Id.Array[0, 3], (packs, supersedes) => new PackIndex(packs.DistinctBy(p => p.PackId), supersedes));

    public static readonly Gen<SnapshotPair> Pair = Gen.Select(
        Gen.String[Gen.Char["0123456789abcdefxyz-_"], 1, RepositoryLayout.MaxPairIdLength],
        Gen.Bool,
        Text,
        (id, named, name) => new SnapshotPair(id, named ? name : null));

    public static readonly Gen<SnapshotRecord> Snapshot = Gen.Select(
        Gen.Select(Time, Pair, Text, Text, Id),
        Gen.Select(Gen.Long[0, long.MaxValue], Gen.Long[0, long.MaxValue], Gen.Bool, Id, Text.Array[0, 4], Text),
        (a, b) => new SnapshotRecord
        {
            Time = a.Item1,
            Pair = a.Item2,
            Source = a.Item3,
            Host = a.Item4,
            RootTree = a.Item5,
            Files = b.Item1,
            Bytes = b.Item2,
            Parent = b.Item3 ? b.Item4 : null,
            Tags = b.Item5,
            RunId = b.Item6,
        });

    public static readonly Gen<SnapshotHead> Head = Gen.Select(Pair, Id, Time, (pair, snapshot, time) => new SnapshotHead(pair, snapshot, time));

    public static readonly Gen<RepositoryConfig> Config = Gen.Select(Id, Time, Gen.Int[1, PackFormat.MaxChunkLength].Array[3])
        .Select((id, created, bounds) =>
        {
            Array.Sort(bounds);
            return new RepositoryConfig(id, created, new ChunkerParameters(bounds[0], bounds[1], bounds[2]));
        });
}
