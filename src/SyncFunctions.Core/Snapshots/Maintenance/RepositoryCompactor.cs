using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

/// <summary>
/// Compaction: repacks packs whose live fraction fell below <see cref="CompactOptions.LiveFraction"/> (their
/// referenced chunks go into new packs) and writes one new index for the new packs and every other entry of the
/// indexes it merges, superseding them; small indexes are merged too. Deleting the superseded indexes and the emptied
/// packs is left to the two-phase <see cref="GarbageCollector"/>: compaction itself deletes nothing.
/// </summary>
/// <remarks>
/// <para>
/// A chunk no snapshot references is dropped only from a pack that has been in each of the last
/// <see cref="GcSafety.CyclesBeforeDelete"/> marks, the oldest past the grace (GC's rule for deleting): writers do
/// not deduplicate against a marked pack, and one that did before the first mark has finished and its record shows the
/// reference. A sparse pack not marked that long is marked (the compactor's mark also names GC's candidates, so GC's
/// cycles go on; GC marks it again while it stays sparse) and repacked by a later run.
/// </para>
/// <para>
/// Write order: new packs, the new index, the mark. A crash before the index leaves packs no index names (GC deletes
/// them); after it, the old indexes are superseded and GC deletes them. Plan first, execute second: a dry run reports
/// the same plan and writes nothing. Run one compactor or collector per repository at a time; writers may run
/// concurrently. Thread-safe (no state between calls).
/// </para>
/// </remarks>
public sealed partial class RepositoryCompactor
{
    private readonly SnapshotRepository _repository;
    private readonly TimeProvider _time;
    private readonly GcSafety _safety;
    private readonly CompactOptions _options;
    private readonly GarbageCollector _collector;

    /// <exception cref="ArgumentException"><paramref name="safety"/> or <paramref name="options"/> has a problem.</exception>
    public RepositoryCompactor(SnapshotRepository repository, TimeProvider time, GcSafety safety, CompactOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException("unusable compaction options: " + problem, nameof(options));
        }

        _collector = new GarbageCollector(repository, time, safety);
        _repository = repository;
        _time = time;
        _safety = safety;
        _options = options;
    }

    /// <summary>Plans, then (unless <paramref name="dryRun"/>) writes the new packs, the new index and the mark.</summary>
    /// <param name="dryRun">Report only: nothing is written.</param>
    /// <param name="max">The most packs repacked in this run (null: no limit); the rest wait for a later run.</param>
    /// <param name="cancellationToken">Cancels the reads and writes; what was written stays (safe: see the remarks).</param>
    /// <exception cref="SnapshotRepositoryException">A snapshot references a tree or chunk the repository lacks: nothing is written.</exception>
    /// <exception cref="RepositoryFormatException">An object is damaged (a chunk to move does not match its id, say): the index is not written.</exception>
    public async Task<CompactReport> RunAsync(bool dryRun, int? max, CancellationToken cancellationToken)
    {
        var plan = await PlanAsync(max, cancellationToken).ConfigureAwait(false);
        return dryRun ? CompactReport.Of(plan, true) : await ExecuteAsync(plan, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Plans a compaction from a fresh reachability pass (as GC plans): the sparse packs past the grace, which of them
    /// may drop their unreferenced chunks now (repacked) and which are marked for later, the indexes to merge, and what
    /// the mark names.
    /// </summary>
    /// <param name="max">The most packs repacked (null: no limit).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="SnapshotRepositoryException">A snapshot references a tree or chunk the repository lacks.</exception>
    /// <exception cref="RepositoryFormatException">A record, head, mark, tree or index is damaged, or two indexes disagree about a pack.</exception>
    public async Task<CompactPlan> PlanAsync(int? max, CancellationToken cancellationToken)
    {
        if (max is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(max), max, "at least one pack");
        }

        var analysis = await _collector.AnalyzeAsync(cancellationToken).ConfigureAwait(false);
        var entries = LivePackEntries(analysis);
        var unreferenced = analysis.Unreferenced.Select(o => o.Path).ToHashSet(StringComparer.Ordinal);
        var sparse = new List<(GcObject Pack, double Fraction, IndexedPack Indexed)>();
        foreach (var (path, pack) in entries)
        {
            if (!analysis.Listed.TryGetValue(path, out var listed) || unreferenced.Contains(path) || listed.LastModified >= analysis.OldEnough)
            {
                continue;
            }

            var total = pack.Chunks.Sum(e => (long)e.StoredLength);
            var live = pack.Chunks.Where(e => analysis.LiveChunks.Contains(e.ChunkId)).Sum(e => (long)e.StoredLength);
            var fraction = total == 0 ? 0 : (double)live / total;
            if (fraction < _options.LiveFraction)
            {
                sparse.Add((listed, fraction, pack));
            }
        }

        sparse = [.. sparse.OrderBy(s => s.Fraction).ThenBy(s => s.Pack.Path, StringComparer.Ordinal)];
        var ready = sparse.Where(s => analysis.MarkedLongEnough(s.Pack.Path, _safety.CyclesBeforeDelete)).Take(max ?? int.MaxValue).ToList();
        var later = sparse.Where(s => !analysis.MarkedLongEnough(s.Pack.Path, _safety.CyclesBeforeDelete)).Select(s => s.Pack).ToList();
        var small = analysis.LiveIndexes.Select(x => x.Path)
            .Where(p => !unreferenced.Contains(p) && analysis.Listed[p].Size < _options.SmallIndexBytes).ToList();
        var merge = MergeSet(analysis, ready, small.Count >= _options.MergeSmallIndexesAt ? small : []);
        var repackIds = ready.Select(s => s.Indexed.PackId).ToHashSet();
        var repack = Moves(analysis, entries, ready, repackIds);
        var merged = analysis.Indexes.Where(x => merge.Contains(x.Path)).ToList();
        var kept = PackIndex.Merge(merged.Select(x => new PackIndex(x.Index.Packs.Where(p => !repackIds.Contains(p.PackId))))).Packs;
        var supersedes = merged.SelectMany(x => x.Index.Supersedes.Where(id => analysis.Listed.ContainsKey(RepositoryLayout.IndexPath(id))).Prepend(IdOf(x.Path))).Distinct().Order().ToList();
        var mark = repack.Count + later.Count + merge.Count == 0
            ? []
            : analysis.Candidates().Concat(GarbageCollector.Held(analysis, analysis.Candidates())).Select(o => o.Path)
                .Concat(sparse.Select(s => s.Pack.Path)).Concat(merge).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new CompactPlan(
            analysis.Time,
            analysis.Snapshots,
            GcCounts.Of(entries.Keys.Where(analysis.Listed.ContainsKey).Select(p => analysis.Listed[p])),
            repack,
            later,
            [.. merged.Select(x => analysis.Listed[x.Path])],
            kept,
            supersedes,
            mark);
    }

    /// <summary>
    /// The indexes to merge: those naming a ready pack and <paramref name="small"/>, without any index naming a pack
    /// that is not repacked and that a current mark names (GC may delete such a pack before the new index is written,
    /// which would then name a missing pack); a ready pack such an index names is not repacked this time (removed
    /// from <paramref name="ready"/>), since it would stay named.
    /// </summary>
    private static HashSet<string> MergeSet(GcAnalysis analysis, List<(GcObject Pack, double Fraction, IndexedPack Indexed)> ready, List<string> small)
    {
        var marked = analysis.Marks.SelectMany(m => m.Mark.Objects).ToHashSet(StringComparer.Ordinal);
        var packsOf = analysis.LiveIndexes.ToDictionary(x => x.Path, x => x.Index.Packs.Select(p => RepositoryLayout.PackPath(p.PackId)).ToList(), StringComparer.Ordinal);
        var blocked = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var readyPaths = ready.Select(r => r.Pack.Path).ToHashSet(StringComparer.Ordinal);
            var merge = packsOf.Where(x => x.Value.Any(readyPaths.Contains)).Select(x => x.Key).Concat(small)
                .Where(i => !blocked.Contains(i)).ToHashSet(StringComparer.Ordinal);
            var newlyBlocked = merge.Where(i => packsOf[i].Any(p => !readyPaths.Contains(p) && marked.Contains(p))).ToList();
            if (newlyBlocked.Count == 0)
            {
                return merge;
            }

            blocked.UnionWith(newlyBlocked);
            var stay = newlyBlocked.SelectMany(i => packsOf[i]).ToHashSet(StringComparer.Ordinal);
            ready.RemoveAll(r => stay.Contains(r.Pack.Path));
        }
    }

    /// <summary>Every pack a live index names, with the union of the live indexes' entries for it.</summary>
    private static SortedDictionary<string, IndexedPack> LivePackEntries(GcAnalysis analysis)
    {
        var entries = new SortedDictionary<string, IndexedPack>(StringComparer.Ordinal);
        foreach (var group in analysis.LiveIndexes.SelectMany(x => x.Index.Packs).GroupBy(p => p.PackId))
        {
            entries[RepositoryLayout.PackPath(group.Key)] = new IndexedPack(group.Key, group.SelectMany(p => p.Chunks).DistinctBy(e => e.ChunkId));
        }

        return entries;
    }

    /// <summary>
    /// For each pack to repack, the chunks to copy: referenced, in no pack that stays named by a live index, and not
    /// copied from an earlier pack of the list.
    /// </summary>
    private static List<CompactPack> Moves(
        GcAnalysis analysis, SortedDictionary<string, IndexedPack> entries, List<(GcObject Pack, double Fraction, IndexedPack Indexed)> ready, HashSet<ObjectId> repackIds)
    {
        var stays = entries.Values.Where(p => !repackIds.Contains(p.PackId)).SelectMany(p => p.Chunks.Select(e => e.ChunkId)).ToHashSet();
        var copied = new HashSet<ObjectId>();
        var repack = new List<CompactPack>();
        foreach (var (pack, fraction, indexed) in ready)
        {
            var move = indexed.Chunks.Where(e => analysis.LiveChunks.Contains(e.ChunkId) && !stays.Contains(e.ChunkId) && copied.Add(e.ChunkId)).ToList();
            var moved = move.Select(e => e.ChunkId).ToHashSet();
            var dropped = indexed.Chunks.Where(e => !moved.Contains(e.ChunkId)).ToList();
            repack.Add(new CompactPack(pack, fraction, move, dropped.Count, dropped.Sum(e => (long)e.StoredLength)));
        }

        return repack;
    }

    private static ObjectId IdOf(string indexPath)
    {
        RepositoryLayout.TryParse(indexPath, out var parsed);
        return parsed.Id;
    }
}
