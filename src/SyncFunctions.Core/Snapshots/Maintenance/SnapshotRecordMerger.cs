using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

/// <summary>One pair's merge: the records that go into its new set, and what the set replaces.</summary>
/// <param name="PairId">The pair.</param>
/// <param name="Records">The new set's records: those of the replaced sets and the merged records.</param>
/// <param name="Loose">Records stored alone that go into the set (deleted once it is written).</param>
/// <param name="Sets">The pair's record sets the new one replaces (deleted once it is written).</param>
public sealed record PairRecordMerge(string PairId, IReadOnlyList<StoredSnapshot> Records, IReadOnlyList<ObjectId> Loose, IReadOnlyList<ObjectId> Sets);

/// <summary>What merging snapshot records would do: one entry per pair whose records are merged.</summary>
/// <param name="Records">Snapshot records the plan was made from.</param>
/// <param name="Sets">Record sets read.</param>
/// <param name="Pairs">The pairs merged.</param>
/// <param name="KeptAlone">Records left alone: heads, and records that may be about to become their pair's head.</param>
public sealed record RecordMergePlan(int Records, int Sets, IReadOnlyList<PairRecordMerge> Pairs, int KeptAlone);

/// <summary>What merging snapshot records did (or, for a dry run, would do).</summary>
/// <param name="DryRun">Nothing was written.</param>
/// <param name="Records">Snapshot records of the repository.</param>
/// <param name="RecordsMerged">Records stored alone that went into a set.</param>
/// <param name="SetsReplaced">Record sets replaced by a new one.</param>
/// <param name="SetsWritten">Sets written: one per merged pair (0 in a dry run; a set already there is not counted).</param>
/// <param name="KeptAlone">Records left alone (heads, and records about to become one).</param>
public sealed record RecordMergeReport(bool DryRun, int Records, int RecordsMerged, int SetsReplaced, int SetsWritten, int KeptAlone)
{
    /// <summary>The report of <paramref name="plan"/> with nothing written.</summary>
    public static RecordMergeReport Of(RecordMergePlan plan, bool dryRun)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new(dryRun, plan.Records, plan.Pairs.Sum(p => p.Loose.Count), plan.Pairs.Sum(p => p.Sets.Count), 0, plan.KeptAlone);
    }
}

/// <summary>
/// Compaction of snapshot records: merges each pair's records into one <see cref="SnapshotRecordSet"/>, so listing a
/// repository reads a few objects instead of one per snapshot. Forgetting (a <see cref="RetentionPolicy"/>) runs
/// before, so a merge holds only what the policy keeps.
/// </summary>
/// <remarks>
/// A pair is merged when it has at least <see cref="CompactOptions.MergeRecordsAt"/> records stored alone that can
/// go into a set, or more than one set. A pair's head stays alone, and so does a record whose parent is its pair's
/// head (or of a pair without one): its writer may be about to move the head to it and reads it back on a retried
/// finalize (a merged one is found in the sets too, only slower). Write order: the new set (write-if-absent, its name
/// is its hash), then the merged records and the replaced sets are deleted — every record is in the repository
/// throughout (<see cref="SnapshotCatalog"/> reads records alone before sets). A crash in between leaves a record
/// both alone and in a set, which readers count once and the next merge cleans up. Never deletes a snapshot; runs
/// next to writers, GC and forget (a forget racing a merge may see a forgotten record come back in the merged set:
/// forget again). Thread-safe (no state between calls).
/// </remarks>
public sealed class SnapshotRecordMerger(SnapshotRepository repository, CompactOptions options)
{
    /// <summary>Plans the merge from the records and heads read now.</summary>
    /// <param name="leaveOut">Snapshots to plan as if forgotten (a dry run of forget and compact), or null.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="RepositoryFormatException">A record, record set or head is damaged.</exception>
    public async Task<RecordMergePlan> PlanAsync(IReadOnlySet<ObjectId>? leaveOut, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        leaveOut ??= new HashSet<ObjectId>();
        var catalog = await SnapshotCatalog.LoadAsync(repository.Store, cancellationToken).ConfigureAwait(false);
        var heads = await SnapshotForgetter.ReadHeadsByPairAsync(repository, cancellationToken).ConfigureAwait(false);
        var keptAlone = 0;
        var loose = new Dictionary<string, List<ObjectId>>(StringComparer.Ordinal);
        foreach (var id in catalog.Loose.Where(id => !leaveOut.Contains(id)))
        {
            var record = catalog.Records[id];
            if (SnapshotForgetter.HeadRoleOf(id, record, heads) != HeadRole.None)
            {
                keptAlone++;
                continue;
            }

            if (!loose.TryGetValue(record.Pair.Id, out var list))
            {
                loose[record.Pair.Id] = list = [];
            }

            list.Add(id);
        }

        var setsOfPair = catalog.Sets.GroupBy(s => s.Set.PairId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var pairs = new List<PairRecordMerge>();
        foreach (var pairId in loose.Keys.Union(setsOfPair.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var alone = loose.GetValueOrDefault(pairId) ?? [];
            var sets = setsOfPair.GetValueOrDefault(pairId) ?? [];
            if (alone.Count < options.MergeRecordsAt && sets.Count < 2)
            {
                continue;
            }

            var records = new Dictionary<ObjectId, StoredSnapshot>();
            foreach (var snapshot in sets.SelectMany(s => s.Set.Records).Where(r => !leaveOut.Contains(r.Id)))
            {
                records.TryAdd(snapshot.Id, snapshot);
            }

            foreach (var id in alone)
            {
                records.TryAdd(id, new StoredSnapshot(id, catalog.Records[id]));
            }

            pairs.Add(new PairRecordMerge(pairId, [.. records.Values.OrderBy(r => r.Id)], alone, [.. sets.Select(s => s.Id)]));
        }

        return new RecordMergePlan(catalog.Records.Keys.Count(id => !leaveOut.Contains(id)), catalog.Sets.Count, pairs, keptAlone);
    }

    /// <summary>Writes each pair's new set, then deletes the records and sets it replaces.</summary>
    /// <param name="plan">A plan of <see cref="PlanAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the writes; what was written stays (safe: see the remarks).</param>
    public async Task<RecordMergeReport> ExecuteAsync(RecordMergePlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var written = 0;
        foreach (var pair in plan.Pairs)
        {
            var set = new SnapshotRecordSet(pair.Records).Encode();
            if (await RepositoryStore.WriteIfAbsentAsync(repository.Store, RepositoryLayout.RecordSetPath(set.Id), set.Bytes, cancellationToken).ConfigureAwait(false))
            {
                written++;
            }

            foreach (var id in pair.Loose)
            {
                await repository.Store.DeleteAsync(RepositoryLayout.SnapshotPath(id), Abstractions.WriteOptions.Unconditional, cancellationToken).ConfigureAwait(false);
            }

            foreach (var old in pair.Sets.Where(s => s != set.Id))
            {
                await repository.Store.DeleteAsync(RepositoryLayout.RecordSetPath(old), Abstractions.WriteOptions.Unconditional, cancellationToken).ConfigureAwait(false);
            }
        }

        return RecordMergeReport.Of(plan, dryRun: false) with { SetsWritten = written };
    }

    /// <summary>Plans, then (unless <paramref name="dryRun"/>) executes.</summary>
    public async Task<RecordMergeReport> RunAsync(bool dryRun, CancellationToken cancellationToken)
    {
        var plan = await PlanAsync(null, cancellationToken).ConfigureAwait(false);
        return dryRun ? RecordMergeReport.Of(plan, dryRun: true) : await ExecuteAsync(plan, cancellationToken).ConfigureAwait(false);
    }
}
