using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots.Destination;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

public sealed partial class GarbageCollector
{
    /// <summary>
    /// Plans a cycle: lists the records, heads and marks, then (a second listing, so every object a listed record
    /// names was written before it is listed) the packs, indexes and trees; computes what the records reach (their
    /// trees, the content-reference tree of each file of several chunks, the chunks, every pack a live index names that
    /// holds a live chunk) and the candidates: indexes another index supersedes, indexes naming only dead packs, packs
    /// holding no live chunk whose every index is such an index, trees not reached; each older than
    /// <see cref="GcSafety.Grace"/> by its last-modified time. Packs the newest mark names that still hold a chunk no
    /// snapshot references (compaction marked them) are marked again (<see cref="GcPlan.Held"/>).
    /// </summary>
    /// <param name="max">The most objects due for deletion (null: no limit).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="SnapshotRepositoryException">A snapshot references a tree or chunk the repository lacks.</exception>
    /// <exception cref="RepositoryFormatException">A record, head, mark, tree or index is damaged.</exception>
    public async Task<GcPlan> PlanAsync(int? max, CancellationToken cancellationToken)
    {
        var analysis = await AnalyzeAsync(cancellationToken).ConfigureAwait(false);
        var candidates = analysis.Candidates();
        var due = Due(candidates, analysis, max);
        var keep = Math.Max(0, _safety.CyclesBeforeDelete - 1);
        var marks = analysis.Marks;
        return new GcPlan(analysis.Time, analysis.Snapshots, GcCounts.Of(analysis.Listed.Values), candidates, due, analysis.Unreferenced.Count - candidates.Count, marks,
            [.. marks.Take(Math.Max(0, marks.Count - keep))])
        {
            Held = Held(analysis, candidates),
        };
    }

    /// <summary>One reachability pass over the repository (see <see cref="PlanAsync"/>).</summary>
    internal async Task<GcAnalysis> AnalyzeAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
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

        // Readers leave out every index another one supersedes (RepositoryContent.RefreshAsync): only the others count.
        var superseded = indexes.SelectMany(x => x.Index.Supersedes).Select(RepositoryLayout.IndexPath).Where(listed.ContainsKey).ToHashSet(StringComparer.Ordinal);
        var indexedChunks = new HashSet<ObjectId>();
        var livePacks = new HashSet<string>(StringComparer.Ordinal);
        var namedByLive = new HashSet<string>(StringComparer.Ordinal);
        var indexesOfPack = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (indexPath, index) in indexes)
        {
            var live = !superseded.Contains(indexPath);
            foreach (var pack in index.Packs)
            {
                var packPath = RepositoryLayout.PackPath(pack.PackId);
                if (!indexesOfPack.TryGetValue(packPath, out var list))
                {
                    indexesOfPack[packPath] = list = [];
                }

                list.Add(indexPath);
                if (!live)
                {
                    continue;
                }

                namedByLive.Add(packPath);
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
            throw new SnapshotRepositoryException($"a snapshot of the repository at {_repository.Store.DisplayName} names chunk {lost}, which no live index holds: "
                + "the repository is damaged; nothing was deleted");
        }

        var deadIndexes = indexes.Where(x => superseded.Contains(x.Path) || x.Index.Packs.All(p => !livePacks.Contains(RepositoryLayout.PackPath(p.PackId))))
            .Select(x => x.Path).ToHashSet(StringComparer.Ordinal);
        var unreferenced = listed.Values.Where(o => o.Kind switch
        {
            RepositoryObjectKind.Pack => !livePacks.Contains(o.Path)
                && (!indexesOfPack.TryGetValue(o.Path, out var named) || named.All(deadIndexes.Contains)),
            RepositoryObjectKind.Index => deadIndexes.Contains(o.Path),
            _ => !RepositoryLayout.TryParse(o.Path, out var tree) || !liveTrees.Contains(tree.Id),
        }).ToList();
        return new GcAnalysis(now, now - _safety.Grace, snapshots, listed, liveChunks, indexes, superseded, namedByLive, livePacks, indexesOfPack, marks, unreferenced);
    }

    /// <summary>
    /// Packs the newest mark names that are no candidate, are past the grace, and that a live index names with a chunk
    /// no snapshot references: compaction marked them to drop those chunks, so they stay marked until it has.
    /// </summary>
    internal static List<GcObject> Held(GcAnalysis analysis, List<GcObject> candidates)
    {
        if (analysis.Marks.Count == 0)
        {
            return [];
        }

        var candidatePaths = candidates.Select(c => c.Path).ToHashSet(StringComparer.Ordinal);
        var sparse = analysis.LiveIndexes.SelectMany(x => x.Index.Packs)
            .Where(p => p.Chunks.Any(c => !analysis.LiveChunks.Contains(c.ChunkId)))
            .Select(p => RepositoryLayout.PackPath(p.PackId))
            .ToHashSet(StringComparer.Ordinal);
        return [.. analysis.Marks[^1].Mark.Objects
            .Where(path => sparse.Contains(path) && !candidatePaths.Contains(path)
                && analysis.Listed.TryGetValue(path, out var o) && o.LastModified < analysis.OldEnough)
            .Select(path => analysis.Listed[path])];
    }

    /// <summary>
    /// The candidates in each of the last marks (the oldest older than the grace), without a pack whose index is not
    /// deleted with it, an index whose listed pack is not (for a superseded index: a pack no live index names), or an
    /// index superseding a listed index that is not (it would come back): deletes in order superseded indexes, other
    /// indexes, packs, trees.
    /// </summary>
    private List<GcObject> Due(List<GcObject> candidates, GcAnalysis analysis, int? max)
    {
        var marks = analysis.Marks;
        var last = marks.Skip(Math.Max(0, marks.Count - _safety.CyclesBeforeDelete)).ToList();
        if (last.Count < _safety.CyclesBeforeDelete || last[0].Mark.Time >= analysis.OldEnough)
        {
            return [];
        }

        var sets = last.Select(m => m.Mark.Objects.ToHashSet(StringComparer.Ordinal)).ToList();
        var due = candidates.Where(c => sets.All(s => s.Contains(c.Path)))
            .OrderBy(c => c.Kind switch
            {
                RepositoryObjectKind.Index => analysis.Superseded.Contains(c.Path) ? 0 : 1,
                RepositoryObjectKind.Pack => 2,
                _ => 3,
            })
            .ThenBy(c => c.Path, StringComparer.Ordinal)
            .ToList();
        var units = new DeleteUnits(analysis);
        var set = units.Closed(due.Select(d => d.Path).ToHashSet(StringComparer.Ordinal));
        if (max is { } limit)
        {
            // Whole units first: an index with its packs.
            var taken = new HashSet<string>(StringComparer.Ordinal);
            foreach (var d in due.Where(d => set.Contains(d.Path) && !taken.Contains(d.Path)))
            {
                var unit = d.Kind == RepositoryObjectKind.Index ? units.PacksOfIndex[d.Path].Where(p => !taken.Contains(p)).Append(d.Path).ToList() : [d.Path];
                if (taken.Count + unit.Count <= limit)
                {
                    taken.UnionWith(unit);
                }
            }

            set = units.Closed(taken);
        }

        return [.. due.Where(d => set.Contains(d.Path))];
    }

    /// <summary>Which objects must be deleted together.</summary>
    private sealed class DeleteUnits
    {
        private readonly GcAnalysis _analysis;
        private readonly Dictionary<string, List<string>> _supersedes;

        public DeleteUnits(GcAnalysis analysis)
        {
            _analysis = analysis;
            var listed = analysis.Listed;
            PacksOfIndex = analysis.Indexes.ToDictionary(
                x => x.Path,
                x => x.Index.Packs.Select(p => RepositoryLayout.PackPath(p.PackId))
                    .Where(p => listed.ContainsKey(p) && (!analysis.Superseded.Contains(x.Path) || !analysis.PacksOfLiveIndexes.Contains(p)))
                    .ToList(),
                StringComparer.Ordinal);
            _supersedes = analysis.Indexes.ToDictionary(
                x => x.Path, x => x.Index.Supersedes.Select(RepositoryLayout.IndexPath).Where(listed.ContainsKey).ToList(), StringComparer.Ordinal);
        }

        /// <summary>For each index, the listed packs that go with it (a superseded index's: those no live index names).</summary>
        public Dictionary<string, List<string>> PacksOfIndex { get; }

        /// <summary>Drops from <paramref name="set"/> every pack with an index outside it and every index with a pack or superseded index outside it.</summary>
        public HashSet<string> Closed(HashSet<string> set)
        {
            bool removed;
            do
            {
                removed = set.RemoveWhere(path => _analysis.Listed[path].Kind switch
                {
                    RepositoryObjectKind.Pack => _analysis.IndexesOfPack.TryGetValue(path, out var named) && !named.All(set.Contains),
                    RepositoryObjectKind.Index => !PacksOfIndex[path].All(set.Contains) || !_supersedes[path].All(set.Contains),
                    _ => false,
                }) > 0;
            }
            while (removed);

            return set;
        }
    }
}
