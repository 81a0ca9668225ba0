using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots.Destination;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

public sealed partial class GarbageCollector
{
    /// <summary>
    /// Plans a cycle: lists the records, heads and marks, then (a second listing, so every object a listed record
    /// names was written before it is listed) the packs, indexes and trees; computes what the records reach (their
    /// trees, the content-reference tree of each file of several chunks, the chunks, every pack holding a live chunk)
    /// and the candidates: packs with no live chunk whose every index names only such packs, indexes naming only such
    /// packs, trees not reached; each older than <see cref="GcSafety.Grace"/> by its last-modified time.
    /// </summary>
    /// <param name="max">The most objects due for deletion (null: no limit).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="SnapshotRepositoryException">A snapshot references a tree or chunk the repository lacks.</exception>
    /// <exception cref="RepositoryFormatException">A record, head, mark, tree or index is damaged.</exception>
    public async Task<GcPlan> PlanAsync(int? max, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var oldEnough = now - _safety.Grace;
        var (roots, snapshots, marks) = await ReadRootsAsync(cancellationToken).ConfigureAwait(false);
        var listed = new Dictionary<string, GcObject>(StringComparer.Ordinal);
        await foreach (var entry in _repository.Store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (entry.Object is { } info && RepositoryLayout.TryParse(info.Path, out var parsed)
                && parsed.Kind is RepositoryObjectKind.Pack or RepositoryObjectKind.Index or RepositoryObjectKind.Tree)
            {
                listed[info.Path] = new GcObject(info.Path, parsed.Kind, info.Size, info.LastModified, info.Version);
            }
        }

        var (liveTrees, liveChunks) = await ReachAsync(roots, cancellationToken).ConfigureAwait(false);
        var indexes = await ReadIndexesAsync(listed.Values.Where(o => o.Kind == RepositoryObjectKind.Index), cancellationToken).ConfigureAwait(false);
        var indexedChunks = new HashSet<ObjectId>();
        var livePacks = new HashSet<string>(StringComparer.Ordinal);
        var indexesOfPack = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (indexPath, index) in indexes)
        {
            foreach (var pack in index.Packs)
            {
                var packPath = RepositoryLayout.PackPath(pack.PackId);
                if (!indexesOfPack.TryGetValue(packPath, out var list))
                {
                    indexesOfPack[packPath] = list = [];
                }

                list.Add(indexPath);
                foreach (var chunk in pack.Chunks)
                {
                    indexedChunks.Add(chunk.ChunkId);
                    if (liveChunks.Contains(chunk.ChunkId))
                    {
                        livePacks.Add(packPath);
                    }
                }
            }
        }

        foreach (var lost in liveChunks.Where(c => !indexedChunks.Contains(c)).Take(1))
        {
            throw new SnapshotRepositoryException($"a snapshot of the repository at {_repository.Store.DisplayName} names chunk {lost}, which no index holds: "
                + "the repository is damaged; nothing was deleted");
        }

        var deadIndexes = indexes.Where(x => x.Index.Packs.All(p => !livePacks.Contains(RepositoryLayout.PackPath(p.PackId))))
            .Select(x => x.Path).ToHashSet(StringComparer.Ordinal);
        var unreferenced = listed.Values.Where(o => o.Kind switch
        {
            RepositoryObjectKind.Pack => !livePacks.Contains(o.Path)
                && (!indexesOfPack.TryGetValue(o.Path, out var named) || named.All(deadIndexes.Contains)),
            RepositoryObjectKind.Index => deadIndexes.Contains(o.Path),
            _ => !RepositoryLayout.TryParse(o.Path, out var tree) || !liveTrees.Contains(tree.Id),
        }).ToList();
        var candidates = unreferenced.Where(o => o.LastModified < oldEnough).OrderBy(o => o.Path, StringComparer.Ordinal).ToList();
        var due = Due(candidates, marks, oldEnough, listed, indexes, indexesOfPack, max);
        var keep = Math.Max(0, _safety.CyclesBeforeDelete - 1);
        return new GcPlan(now, snapshots, GcCounts.Of(listed.Values), candidates, due, unreferenced.Count - candidates.Count, marks,
            [.. marks.Take(Math.Max(0, marks.Count - keep))]);
    }

    /// <summary>
    /// The candidates in each of the last marks (the oldest older than the grace), without a pack whose index is not
    /// deleted with it or an index whose listed pack is not: deletes in order indexes, packs, trees.
    /// </summary>
    private List<GcObject> Due(
        List<GcObject> candidates,
        IReadOnlyList<StoredMark> marks,
        DateTimeOffset oldEnough,
        Dictionary<string, GcObject> listed,
        List<(string Path, PackIndex Index)> indexes,
        Dictionary<string, List<string>> indexesOfPack,
        int? max)
    {
        var last = marks.Skip(Math.Max(0, marks.Count - _safety.CyclesBeforeDelete)).ToList();
        if (last.Count < _safety.CyclesBeforeDelete || last[0].Mark.Time >= oldEnough)
        {
            return [];
        }

        var sets = last.Select(m => m.Mark.Objects.ToHashSet(StringComparer.Ordinal)).ToList();
        var due = candidates.Where(c => sets.All(s => s.Contains(c.Path)))
            .OrderBy(c => c.Kind switch { RepositoryObjectKind.Index => 0, RepositoryObjectKind.Pack => 1, _ => 2 })
            .ThenBy(c => c.Path, StringComparer.Ordinal)
            .ToList();
        var packsOfIndex = indexes.ToDictionary(x => x.Path, x => x.Index.Packs.Select(p => RepositoryLayout.PackPath(p.PackId)).Where(listed.ContainsKey).ToList(), StringComparer.Ordinal);
        var set = Closed(due.Select(d => d.Path).ToHashSet(StringComparer.Ordinal), listed, packsOfIndex, indexesOfPack);
        if (max is { } limit)
        {
            // Whole units first: an index with its packs.
            var taken = new HashSet<string>(StringComparer.Ordinal);
            foreach (var d in due.Where(d => set.Contains(d.Path) && !taken.Contains(d.Path)))
            {
                var unit = d.Kind == RepositoryObjectKind.Index ? packsOfIndex[d.Path].Where(p => !taken.Contains(p)).Append(d.Path).ToList() : [d.Path];
                if (taken.Count + unit.Count <= limit)
                {
                    taken.UnionWith(unit);
                }
            }

            set = Closed(taken, listed, packsOfIndex, indexesOfPack);
        }

        return [.. due.Where(d => set.Contains(d.Path))];
    }

    /// <summary>Drops from <paramref name="set"/> every pack with an index outside it and every index with a listed pack outside it.</summary>
    private static HashSet<string> Closed(
        HashSet<string> set, Dictionary<string, GcObject> listed, Dictionary<string, List<string>> packsOfIndex, Dictionary<string, List<string>> indexesOfPack)
    {
        bool removed;
        do
        {
            removed = set.RemoveWhere(path => listed[path].Kind switch
            {
                RepositoryObjectKind.Pack => indexesOfPack.TryGetValue(path, out var named) && !named.All(set.Contains),
                RepositoryObjectKind.Index => !packsOfIndex[path].All(set.Contains),
                _ => false,
            }) > 0;
        }
        while (removed);

        return set;
    }

    /// <summary>The root trees of every record and head's snapshot, the number of snapshots, and the marks (oldest first).</summary>
    private async Task<(List<ObjectId> Roots, int Snapshots, List<StoredMark> Marks)> ReadRootsAsync(CancellationToken cancellationToken)
    {
        var snapshotIds = new HashSet<ObjectId>();
        var headPaths = new List<(string Path, string PairId)>();
        var marks = new List<StoredMark>();
        await foreach (var entry in _repository.Store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (entry.Object is not { } info || !RepositoryLayout.TryParse(info.Path, out var parsed))
            {
                continue;
            }

            switch (parsed.Kind)
            {
                case RepositoryObjectKind.Snapshot:
                    snapshotIds.Add(parsed.Id);
                    break;
                case RepositoryObjectKind.Head:
                    headPaths.Add((info.Path, parsed.PairId!));
                    break;
                case RepositoryObjectKind.GcMark when await TryReadAsync(info.Path, cancellationToken).ConfigureAwait(false) is { } bytes:
                    marks.Add(new StoredMark(parsed.MarkName!, GcMark.Decode(parsed.MarkName!, bytes)));
                    break;
            }
        }

        foreach (var (path, pairId) in headPaths)
        {
            if (await TryReadAsync(path, cancellationToken).ConfigureAwait(false) is { } bytes)
            {
                snapshotIds.Add(SnapshotHead.Decode(pairId, bytes).Snapshot);
            }
        }

        var roots = new List<ObjectId>();
        var snapshots = 0;
        foreach (var id in snapshotIds.Order())
        {
            // A record forgotten since the listing references nothing any more.
            if (await TryReadAsync(RepositoryLayout.SnapshotPath(id), cancellationToken).ConfigureAwait(false) is { } bytes)
            {
                roots.Add(SnapshotRecord.Decode(id, bytes).RootTree);
                snapshots++;
            }
        }

        return (roots, snapshots, [.. marks.OrderBy(m => m.Mark.Time).ThenBy(m => m.Name, StringComparer.Ordinal)]);
    }

    /// <summary>Every tree the roots reach (with the content-reference trees of their files) and every chunk.</summary>
    private async Task<(HashSet<ObjectId> Trees, HashSet<ObjectId> Chunks)> ReachAsync(List<ObjectId> roots, CancellationToken cancellationToken)
    {
        var trees = new HashSet<ObjectId>();
        var chunks = new HashSet<ObjectId>();
        var pending = new Stack<ObjectId>(roots);
        var walked = new HashSet<ObjectId>();
        while (pending.TryPop(out var treeId))
        {
            if (!walked.Add(treeId))
            {
                continue;
            }

            trees.Add(treeId);
            var bytes = await TryReadAsync(RepositoryLayout.TreePath(treeId), cancellationToken).ConfigureAwait(false)
                ?? throw new SnapshotRepositoryException($"a snapshot of the repository at {_repository.Store.DisplayName} names tree {treeId}, which is not stored: "
                    + "the repository is damaged; nothing was deleted");
            foreach (var entry in TreeManifest.Decode(treeId, bytes).Entries)
            {
                if (entry.Kind == TreeEntryKind.Directory)
                {
                    pending.Push(entry.Subtree!.Value);
                    continue;
                }

                chunks.UnionWith(entry.Chunks.Select(c => c.Id));

                // A run into the repository keeps this tree in the pair's baseline; the next run's commit reads it.
                if (ContentReference.Of(entry.ContentHash!.Value, entry.Chunks).Tree is { } reference)
                {
                    trees.Add(reference.Id);
                }
            }
        }

        return (trees, chunks);
    }

    private async Task<List<(string Path, PackIndex Index)>> ReadIndexesAsync(IEnumerable<GcObject> listed, CancellationToken cancellationToken)
    {
        var indexes = new List<(string, PackIndex)>();
        foreach (var index in listed)
        {
            RepositoryLayout.TryParse(index.Path, out var parsed);
            if (await TryReadAsync(index.Path, cancellationToken).ConfigureAwait(false) is { } bytes)
            {
                indexes.Add((index.Path, PackIndex.Decode(parsed.Id, bytes)));
            }
        }

        return indexes;
    }

    private Task<byte[]?> TryReadAsync(string path, CancellationToken cancellationToken) => RepositoryStore.TryReadAllAsync(_repository.Store, path, cancellationToken);
}
