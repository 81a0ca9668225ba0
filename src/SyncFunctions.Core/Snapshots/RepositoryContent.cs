using System.Security.Cryptography;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Chunking;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots;

/// <summary>
/// The chunks of a repository: the set of chunks its indexes know (with where each is), writers that add chunks,
/// and reads of single chunks by range from their packs.
/// </summary>
/// <remarks>
/// <para>
/// Durability rule: a chunk counts as stored only once it is in a written pack <em>and</em> a written index. A
/// <see cref="ChunkWriter"/> writes the index of its packs in <see cref="ChunkWriter.FlushAsync"/>, so a file's
/// chunks are durable only after the flush that follows them returned: callers flush before they mark the work
/// that made them done (and before a snapshot names them).
/// </para>
/// <para>
/// Chunks one writer has not flushed are unknown to the others, so two writers may both store a chunk: harmless
/// (two locations, either one readable); compaction removes the copy later. Thread-safe.
/// </para>
/// </remarks>
public sealed partial class RepositoryContent
{
    private const int IndexReadParallelism = 8;

    private readonly object _gate = new();
    private readonly Dictionary<ObjectId, ChunkLocation> _known = [];
    private readonly HashSet<ObjectId> _loadedIndexes = [];
    private readonly PackFooterCache _footers;

    internal RepositoryContent(IObjectStore store, ChunkerOptions chunker)
    {
        Store = store;
        Chunker = chunker;
        _footers = new PackFooterCache(store);
    }

    /// <summary>The chunk sizes of the repository.</summary>
    public ChunkerOptions Chunker { get; }

    /// <summary>The number of distinct chunks the loaded indexes know.</summary>
    public int ChunkCount
    {
        get
        {
            lock (_gate)
            {
                return _known.Count;
            }
        }
    }

    internal IObjectStore Store { get; }

    /// <summary>
    /// True when a loaded index (or a flush of this process) names the chunk in a pack that no current GC mark names:
    /// a chunk in a marked pack counts as unknown, so a writer stores it again rather than reference a pack the
    /// collector may delete.
    /// </summary>
    public bool Contains(ObjectId chunkId)
    {
        lock (_gate)
        {
            return _known.TryGetValue(chunkId, out var location) && !IsPackMarkedLocked(location.PackId);
        }
    }

    /// <summary>
    /// True when a loaded index (or a flush of this process) names the chunk, marked or not: the durability check of a
    /// snapshot's chunks. A chunk deduplicated against a pack marked since (by a mark this process read later) is safe
    /// when the snapshot finishes within the collector's minimum age, so a later mark does not fail the snapshot.
    /// </summary>
    internal bool IsIndexed(ObjectId chunkId)
    {
        lock (_gate)
        {
            return _known.ContainsKey(chunkId);
        }
    }

    /// <summary>Where a known chunk is (one of its locations when several packs hold it).</summary>
    public bool TryLocate(ObjectId chunkId, out ChunkLocation location)
    {
        lock (_gate)
        {
            return _known.TryGetValue(chunkId, out location);
        }
    }

    /// <summary>A writer for one worker (not thread-safe itself; make one per worker).</summary>
    /// <param name="packTargetLength">The length at which a pack is finished and uploaded.</param>
    public ChunkWriter NewWriter(int packTargetLength = PackFormat.DefaultTargetLength) => new(this, packTargetLength);

    /// <summary>
    /// Cuts <paramref name="content"/> into chunks (<see cref="Chunker"/>), adds each to <paramref name="writer"/>
    /// and returns the file's hash, size and chunk list. The chunks are durable only after the writer's next flush.
    /// </summary>
    /// <param name="content">The file, read to its end (not disposed).</param>
    /// <param name="writer">A writer of this repository.</param>
    /// <param name="cancellationToken">Cancels the reads and uploads.</param>
    public async Task<FileContent> ChunkFileAsync(Stream content, ChunkWriter writer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(writer);
        if (!ReferenceEquals(writer.Content, this))
        {
            throw new ArgumentException("the writer belongs to another repository", nameof(writer));
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunks = new List<ChunkRef>();
        var size = 0L;
        await foreach (var chunk in ContentChunker.ChunkAsync(content, Chunker, cancellationToken).ConfigureAwait(false))
        {
            hash.AppendData(chunk.Data.Span);
            await writer.AddAsync(chunk, cancellationToken).ConfigureAwait(false);
            chunks.Add(new ChunkRef(ObjectId.FromBytes(chunk.Sha256), chunk.Length));
            size += chunk.Length;
        }

        return new FileContent(ObjectId.FromBytes(hash.GetHashAndReset()), size, chunks);
    }

    /// <summary>
    /// Loads every index of the store not loaded yet (written by other processes since this one opened), leaving
    /// out indexes that a loaded one supersedes, and reads the current GC marks. When a loaded index is gone (the
    /// collector deleted it), every index is loaded again, so no chunk keeps a location in a deleted pack.
    /// </summary>
    /// <exception cref="RepositoryFormatException">An index or a mark is damaged.</exception>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var present = new HashSet<ObjectId>();
        var markNames = new List<string>();
        await foreach (var entry in Store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (entry.Object is { } info && string.CompareOrdinal(info.Path, RepositoryLayout.IndexFolder) > 0
                && !info.Path.StartsWith(RepositoryLayout.IndexFolder, StringComparison.Ordinal))
            {
                // Listings are in ordinal order and gc/marks/ and index/ come before packs/, snapshots/ and trees/.
                break;
            }

            if (entry.Object is { } listed && RepositoryLayout.TryParse(listed.Path, out var parsed))
            {
                if (parsed.Kind == RepositoryObjectKind.Index)
                {
                    present.Add(parsed.Id);
                }
                else if (parsed.Kind == RepositoryObjectKind.GcMark)
                {
                    markNames.Add(parsed.MarkName!);
                }
            }
        }

        bool rebuild;
        List<ObjectId> ids;
        lock (_gate)
        {
            rebuild = _loadedIndexes.Any(id => !present.Contains(id));
            ids = rebuild ? [.. present] : [.. present.Where(id => !_loadedIndexes.Contains(id))];
        }

        var marks = await ReadMarksAsync(markNames, cancellationToken).ConfigureAwait(false);
        var indexes = new (ObjectId Id, PackIndex Index)[ids.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, ids.Count),
            new ParallelOptions { MaxDegreeOfParallelism = IndexReadParallelism, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var bytes = await RepositoryStore.TryReadAllAsync(Store, RepositoryLayout.IndexPath(ids[i]), ct).ConfigureAwait(false);
                indexes[i] = (ids[i], bytes is null ? new PackIndex([]) : PackIndex.Decode(ids[i], bytes));
            }).ConfigureAwait(false);

        // An index that another one supersedes may name packs compaction deleted: only the superseding one counts.
        var superseded = indexes.SelectMany(x => x.Index.Supersedes).ToHashSet();
        lock (_gate)
        {
            SetMarksLocked(marks);
            if (rebuild)
            {
                _known.Clear();
                _loadedIndexes.Clear();
            }

            foreach (var (id, index) in indexes)
            {
                _loadedIndexes.Add(id);
                if (!superseded.Contains(id))
                {
                    AddLocked(index.Packs);
                }
            }
        }
    }

    /// <summary>Records the packs of an index this process wrote.</summary>
    internal void AddIndexed(ObjectId indexId, IEnumerable<IndexedPack> packs)
    {
        lock (_gate)
        {
            _loadedIndexes.Add(indexId);
            AddLocked(packs);
        }
    }

    private bool IsLoaded(ObjectId indexId)
    {
        lock (_gate)
        {
            return _loadedIndexes.Contains(indexId);
        }
    }

    private void AddLocked(IEnumerable<IndexedPack> packs)
    {
        foreach (var pack in packs)
        {
            var marked = IsPackMarkedLocked(pack.PackId);
            foreach (var entry in pack.Chunks)
            {
                // A location in an unmarked pack wins over one in a marked pack (which the collector may delete).
                if (!_known.TryGetValue(entry.ChunkId, out var existing) || (!marked && IsPackMarkedLocked(existing.PackId)))
                {
                    _known[entry.ChunkId] = new ChunkLocation(pack.PackId, entry);
                }
            }
        }
    }
}
