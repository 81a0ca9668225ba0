using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

/// <summary>How big a repository is and how well it deduplicates.</summary>
public sealed record RepositoryStatistics
{
    /// <summary>Snapshot records.</summary>
    public int Snapshots { get; init; }

    /// <summary>Pairs with a head.</summary>
    public int Pairs { get; init; }

    /// <summary>The sum over the snapshots of their records' byte counts: what restoring every snapshot would write.</summary>
    public long LogicalBytes { get; init; }

    /// <summary>The sum of the sizes of the distinct file contents (by content hash) of all snapshots.</summary>
    public long UniqueLogicalBytes { get; init; }

    /// <summary>The sum of the sizes of the packs in the store (indexed or not), as listed.</summary>
    public long StoredBytes { get; init; }

    /// <summary>Distinct chunks the live (not superseded) indexes hold.</summary>
    public int Chunks { get; init; }

    /// <summary>Packs in the store.</summary>
    public int Packs { get; init; }

    /// <summary>Pack indexes in the store (superseded ones included).</summary>
    public int Indexes { get; init; }

    /// <summary>Tree manifests in the store (reachable or not).</summary>
    public int Trees { get; init; }

    /// <summary>
    /// <see cref="LogicalBytes"/> / <see cref="StoredBytes"/>: above 1 when dedup and compression save space (10 means
    /// the snapshots hold ten times what the packs take); 0 when nothing is stored.
    /// </summary>
    public double DedupRatio => StoredBytes == 0 ? 0 : (double)LogicalBytes / StoredBytes;

    /// <summary>The stored (compressed) bytes of the distinct indexed chunks that a snapshot's file names.</summary>
    public long ReferencedChunkBytes { get; init; }

    /// <summary>
    /// The stored bytes of the distinct indexed chunks no snapshot names: what GC could reclaim (chunks of a run not
    /// finished yet among them).
    /// </summary>
    public long UnreferencedChunkBytes { get; init; }
}

/// <summary>Computes a repository's <see cref="RepositoryStatistics"/> from one listing of its store, its indexes and every snapshot's trees.</summary>
/// <remarks>Reads everything anew (not the indexes loaded at open). Thread-safe: no state of its own.</remarks>
public sealed class RepositoryStats(SnapshotRepository repository)
{
    private readonly SnapshotRepository _repository = repository ?? throw new ArgumentNullException(nameof(repository));

    /// <summary>The repository's statistics now.</summary>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="RepositoryFormatException">An index, record or reachable tree is missing or damaged (<see cref="RepositoryVerifier"/> says which all are).</exception>
    /// <exception cref="StorageException">The store failed.</exception>
    public async Task<RepositoryStatistics> ComputeAsync(CancellationToken cancellationToken)
    {
        var store = _repository.Store;
        var listing = await RepositoryListing.ReadAsync(store, cancellationToken).ConfigureAwait(false);
        var indexes = await IndexSet.ReadAsync(store, listing.Indexes, null, cancellationToken).ConfigureAwait(false);
        if (indexes.All.FirstOrDefault(x => x.Problem is not null).Problem is { } problem)
        {
            throw new RepositoryFormatException(problem.Object, problem.Damage, problem.Detail);
        }

        var reader = new SnapshotReader(_repository);
        var snapshots = await reader.ListAsync(cancellationToken).ConfigureAwait(false);
        var contents = new Dictionary<ObjectId, long>();
        var referenced = new HashSet<ObjectId>();
        var trees = new HashSet<ObjectId>();
        var pending = new Stack<ObjectId>();
        foreach (var root in snapshots.Select(s => s.Record.RootTree))
        {
            if (trees.Add(root))
            {
                pending.Push(root);
            }
        }

        while (pending.TryPop(out var treeId))
        {
            var tree = await reader.ReadTreeAsync(treeId, cancellationToken).ConfigureAwait(false);
            foreach (var entry in tree.Entries)
            {
                if (entry.Kind == TreeEntryKind.Directory)
                {
                    if (trees.Add(entry.Subtree!.Value))
                    {
                        pending.Push(entry.Subtree.Value);
                    }

                    continue;
                }

                contents.TryAdd(entry.ContentHash!.Value, entry.Size);
                referenced.UnionWith(entry.Chunks.Select(c => c.Id));
            }
        }

        var referencedBytes = indexes.Chunks.Where(c => referenced.Contains(c.Key)).Sum(c => (long)c.Value.Entry.StoredLength);
        return new RepositoryStatistics
        {
            Snapshots = snapshots.Count,
            Pairs = listing.Heads.Count,
            LogicalBytes = snapshots.Sum(s => s.Record.Bytes),
            UniqueLogicalBytes = contents.Values.Sum(),
            StoredBytes = listing.Packs.Values.Sum(),
            Chunks = indexes.Chunks.Count,
            Packs = listing.Packs.Count,
            Indexes = listing.Indexes.Count,
            Trees = listing.Trees.Count,
            ReferencedChunkBytes = referencedBytes,
            UnreferencedChunkBytes = indexes.Chunks.Values.Sum(c => (long)c.Entry.StoredLength) - referencedBytes,
        };
    }
}
