namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>The chunks an index records for one pack, in offset order.</summary>
public sealed record IndexedPack
{
    private readonly ValueList<PackEntry> _chunks = ValueList<PackEntry>.Empty;

    /// <summary>A pack and its chunks (in any order; kept in offset order).</summary>
    public IndexedPack(ObjectId packId, IEnumerable<PackEntry> chunks)
    {
        PackId = packId;
        Chunks = [.. chunks];
    }

    /// <summary>The pack's id.</summary>
    public ObjectId PackId { get; init; }

    /// <summary>Its chunks, by offset.</summary>
    public IReadOnlyList<PackEntry> Chunks
    {
        get => _chunks;
        init => _chunks = ValueList<PackEntry>.Wrap([.. value.OrderBy(e => e.Offset)]);
    }
}

/// <summary>Where a chunk is: a pack and the chunk's entry in it.</summary>
/// <param name="PackId">The pack.</param>
/// <param name="Entry">The chunk's entry in the pack.</param>
public readonly record struct ChunkLocation(ObjectId PackId, PackEntry Entry);

/// <summary>
/// A pack index, format version 1: which pack holds each chunk, and which indexes this one replaces.
/// </summary>
/// <remarks>
/// <para>
/// Stored as one zstd frame (<see cref="Zstd.Level"/>) of canonical JSON; the index id is the SHA-256 of the stored
/// (compressed) bytes. The JSON, packs by id, each pack's chunks by offset, <c>supersedes</c> by id:
/// </para>
/// <code>
/// {"version":1,"supersedes":["&lt;indexId&gt;"],"packs":[{"id":"&lt;packId&gt;","chunks":[
///   {"id":"&lt;chunkId&gt;","offset":5,"stored":812,"raw":4096,"compressed":true}]}]}
/// </code>
/// <para>
/// A pack appears once and holds at least one chunk; its chunks do not overlap and each is named once in it (the
/// same chunk may be in other packs). <c>supersedes</c> lists indexes whose content this one includes, so they may
/// be deleted once this one is stored (compaction).
/// </para>
/// </remarks>
public sealed partial record PackIndex
{
    private readonly ValueList<IndexedPack> _packs = ValueList<IndexedPack>.Empty;
    private readonly ValueList<ObjectId> _supersedes = ValueList<ObjectId>.Empty;

    /// <summary>An index of these packs (in any order; kept by id), replacing the indexes <paramref name="supersedes"/>.</summary>
    public PackIndex(IEnumerable<IndexedPack> packs, IEnumerable<ObjectId>? supersedes = null)
    {
        Packs = [.. packs];
        Supersedes = [.. supersedes ?? []];
    }

    /// <summary>The packs, by id.</summary>
    public IReadOnlyList<IndexedPack> Packs
    {
        get => _packs;
        init => _packs = ValueList<IndexedPack>.Wrap([.. value.OrderBy(p => p.PackId)]);
    }

    /// <summary>The ids of the indexes this one replaces, by id, each once.</summary>
    public IReadOnlyList<ObjectId> Supersedes
    {
        get => _supersedes;
        init => _supersedes = ValueList<ObjectId>.Wrap([.. value.Distinct().Order()]);
    }

    /// <summary>
    /// One index of all the packs of <paramref name="indexes"/>: a pack listed by several is listed once, with the
    /// union of their entries for it; a chunk in several packs keeps every location (packs by id); the
    /// <c>supersedes</c> lists are joined. Add the merged indexes' own ids to <see cref="Supersedes"/> to compact.
    /// </summary>
    /// <exception cref="RepositoryFormatException">Two indexes disagree about a chunk's place in one pack (<see cref="FormatDamage.Malformed"/>).</exception>
    public static PackIndex Merge(IEnumerable<PackIndex> indexes)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        var packs = new Dictionary<ObjectId, Dictionary<ObjectId, PackEntry>>();
        var supersedes = new HashSet<ObjectId>();
        foreach (var index in indexes)
        {
            supersedes.UnionWith(index.Supersedes);
            foreach (var pack in index.Packs)
            {
                if (!packs.TryGetValue(pack.PackId, out var entries))
                {
                    packs[pack.PackId] = entries = [];
                }

                foreach (var entry in pack.Chunks)
                {
                    if (entries.TryGetValue(entry.ChunkId, out var known) && known != entry)
                    {
                        throw new RepositoryFormatException($"pack {pack.PackId}", FormatDamage.Malformed,
                            $"indexes disagree about chunk {entry.ChunkId}: {Describe(known)} and {Describe(entry)}");
                    }

                    entries[entry.ChunkId] = entry;
                }
            }
        }

        var merged = new PackIndex(packs.Select(p => new IndexedPack(p.Key, p.Value.Values)), supersedes);
        return merged.Problem() is { } problem
            ? throw new RepositoryFormatException("merged index", FormatDamage.Malformed, problem)
            : merged;
    }

    /// <summary>The number of chunk entries, over all packs.</summary>
    public int EntryCount => _packs.Sum(p => p.Chunks.Count);

    /// <summary>Every location of every chunk; a chunk's locations in pack id order.</summary>
    public ILookup<ObjectId, ChunkLocation> ToLookup() =>
        _packs.SelectMany(p => p.Chunks.Select(e => new ChunkLocation(p.PackId, e))).ToLookup(l => l.Entry.ChunkId);

    /// <summary>Null when the index follows the format's rules, else the first one it breaks.</summary>
    internal string? Problem()
    {
        for (var i = 0; i < _packs.Count; i++)
        {
            var pack = _packs[i];
            if (i > 0 && _packs[i - 1].PackId == pack.PackId)
            {
                return $"pack {pack.PackId} is listed twice";
            }

            if (PackProblem(pack) is { } problem)
            {
                return $"pack {pack.PackId}: {problem}";
            }
        }

        return null;
    }

    private static string? PackProblem(IndexedPack pack)
    {
        if (pack.Chunks.Count == 0)
        {
            return "no chunks";
        }

        var ids = new HashSet<ObjectId>();
        PackEntry? previous = null;
        foreach (var entry in pack.Chunks)
        {
            if (entry.Problem() is { } problem)
            {
                return $"chunk {entry.ChunkId}: {problem}";
            }

            if (previous is { } before && entry.Offset < before.End)
            {
                return $"chunk {entry.ChunkId} at {entry.Offset} overlaps chunk {before.ChunkId} ({before.Offset}..{before.End})";
            }

            if (!ids.Add(entry.ChunkId))
            {
                return $"chunk {entry.ChunkId} is listed twice";
            }

            previous = entry;
        }

        return null;
    }

    private static string Describe(PackEntry e) => $"{e.Offset}+{e.StoredLength} ({e.RawLength} raw{(e.Compressed ? ", zstd" : "")})";
}
