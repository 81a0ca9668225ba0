using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

/// <summary>What forgetting did.</summary>
/// <param name="Deleted">Snapshot records deleted.</param>
/// <param name="KeptAsHeads">Snapshots the plan removed that had become a pair's head meanwhile, kept.</param>
/// <param name="KeptInFlight">
/// Snapshots the plan removed that may be about to become their pair's head (its writer moves the head after writing
/// the record, from the record's parent: a record whose parent is the head now, or of a pair without a head), kept.
/// </param>
public sealed record ForgetResult(int Deleted, int KeptAsHeads, int KeptInFlight = 0);

/// <summary>A snapshot's relation to its pair's head (<see cref="SnapshotForgetter.HeadRoleOf"/>).</summary>
internal enum HeadRole
{
    /// <summary>Neither the head nor able to become it.</summary>
    None,

    /// <summary>The pair's head.</summary>
    Head,

    /// <summary>Its writer may be about to move the head to it.</summary>
    MayBecomeHead,
}

/// <summary>
/// Forgets snapshots by a <see cref="RetentionPolicy"/>: plans (a pure function of the records and heads), then
/// deletes the removed snapshot records only (stored alone, or in a record set, which is replaced by one without them);
/// their trees and chunks are the garbage collector's.
/// </summary>
/// <remarks>Thread-safe (no state of its own). The clock gives the time zone that days and weeks are counted in.</remarks>
public sealed class SnapshotForgetter(SnapshotRepository repository, TimeProvider time)
{
    /// <summary>The plan for every snapshot of the repository, in <paramref name="zone"/> (the clock's local zone when null).</summary>
    /// <exception cref="ArgumentException">The policy has a <see cref="RetentionPolicy.Problem"/>.</exception>
    /// <exception cref="RepositoryFormatException">A record or head is damaged.</exception>
    public async Task<RetentionPlan> PlanAsync(RetentionPolicy policy, TimeZoneInfo? zone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var snapshots = await new SnapshotReader(repository).ListAsync(cancellationToken).ConfigureAwait(false);
        var heads = await ReadHeadsAsync(cancellationToken).ConfigureAwait(false);
        return policy.Plan(snapshots, zone ?? time.LocalTimeZone, heads);
    }

    /// <summary>
    /// Deletes the records of <paramref name="plan"/>'s removed snapshots; the heads are read again first and a
    /// snapshot that is a head now is kept, and so is one that may be a head in a moment: a writer writes the record
    /// first and then moves the head from the record's parent under If-Match, so a record whose parent is its pair's
    /// head (or of a pair with no head yet) may be a snapshot in flight.
    /// </summary>
    /// <param name="plan">A plan of <see cref="PlanAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the deletes; the ones done stay done.</param>
    public async Task<ForgetResult> ApplyAsync(RetentionPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var heads = await ReadHeadsByPairAsync(repository, cancellationToken).ConfigureAwait(false);
        int keptAsHeads = 0, keptInFlight = 0;
        var forget = new HashSet<ObjectId>();
        foreach (var snapshot in plan.Remove)
        {
            switch (HeadRoleOf(snapshot.Id, snapshot.Record, heads))
            {
                case HeadRole.Head:
                    keptAsHeads++;
                    break;
                case HeadRole.MayBecomeHead:
                    keptInFlight++;
                    break;
                default:
                    forget.Add(snapshot.Id);
                    break;
            }
        }

        if (forget.Count == 0)
        {
            return new ForgetResult(0, keptAsHeads, keptInFlight);
        }

        // A record compaction merged is in a set: the set is replaced by one without it (written first, so no other
        // record is ever in neither), then deleted.
        var catalog = await SnapshotCatalog.LoadAsync(repository.Store, cancellationToken).ConfigureAwait(false);
        foreach (var id in forget.Order())
        {
            await repository.Store.DeleteAsync(RepositoryLayout.SnapshotPath(id), Abstractions.WriteOptions.Unconditional, cancellationToken).ConfigureAwait(false);
        }

        foreach (var set in catalog.Sets.Where(s => s.Set.Records.Any(r => forget.Contains(r.Id))))
        {
            var rest = set.Set.Records.Where(r => !forget.Contains(r.Id)).ToList();
            if (rest.Count > 0)
            {
                var replacement = new SnapshotRecordSet(rest).Encode();
                await RepositoryStore.WriteIfAbsentAsync(repository.Store, RepositoryLayout.RecordSetPath(replacement.Id), replacement.Bytes, cancellationToken).ConfigureAwait(false);
            }

            await repository.Store.DeleteAsync(RepositoryLayout.RecordSetPath(set.Id), Abstractions.WriteOptions.Unconditional, cancellationToken).ConfigureAwait(false);
        }

        return new ForgetResult(forget.Count, keptAsHeads, keptInFlight);
    }

    /// <summary>
    /// Whether a snapshot is its pair's head, may become it in a moment, or neither: a writer writes the record first
    /// and then moves the head from the record's parent with If-Match, so only while the head is still the parent (or
    /// there is none, for a first snapshot) can the record become the head.
    /// </summary>
    internal static HeadRole HeadRoleOf(ObjectId snapshotId, SnapshotRecord record, IReadOnlyDictionary<string, ObjectId> heads)
    {
        var head = heads.TryGetValue(record.Pair.Id, out var id) ? id : (ObjectId?)null;
        return head == snapshotId ? HeadRole.Head : head == record.Parent ? HeadRole.MayBecomeHead : HeadRole.None;
    }

    /// <summary>The snapshot every head of the repository names.</summary>
    internal static async Task<HashSet<ObjectId>> ReadHeadsAsync(SnapshotRepository repository, CancellationToken cancellationToken) =>
        [.. (await ReadHeadsByPairAsync(repository, cancellationToken).ConfigureAwait(false)).Values];

    /// <summary>Each pair's head: the snapshot it names.</summary>
    internal static async Task<Dictionary<string, ObjectId>> ReadHeadsByPairAsync(SnapshotRepository repository, CancellationToken cancellationToken)
    {
        var heads = new Dictionary<string, ObjectId>(StringComparer.Ordinal);
        await foreach (var info in RepositoryStore.ListFolderAsync(repository.Store, RepositoryLayout.HeadsFolder, cancellationToken).ConfigureAwait(false))
        {
            if (RepositoryLayout.TryParse(info.Path, out var parsed) && parsed.Kind == RepositoryObjectKind.Head
                && await RepositoryStore.TryReadAllAsync(repository.Store, info.Path, cancellationToken).ConfigureAwait(false) is { } bytes)
            {
                heads[parsed.PairId!] = SnapshotHead.Decode(parsed.PairId!, bytes).Snapshot;
            }
        }

        return heads;
    }

    private Task<HashSet<ObjectId>> ReadHeadsAsync(CancellationToken cancellationToken) => ReadHeadsAsync(repository, cancellationToken);
}
