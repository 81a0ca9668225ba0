using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots;

/// <summary>
/// Every snapshot record of a repository, wherever it is: stored alone (<c>snapshots/&lt;id&gt;</c>) or merged by
/// compaction into a record set (<c>snapshot-sets/&lt;id&gt;</c>). A record is in the repository when it is in either.
/// </summary>
/// <remarks>
/// Read in an order that never misses a record that is moved meanwhile: the records stored alone first, then the sets.
/// Compaction writes a set before it deletes the records it merged, and writes a set's replacement before it deletes
/// the set, so a record that vanished between its listing and its read is in a set written before that read (or it
/// was forgotten) — and the sets are listed after it; a set that vanished the same way makes the sets be listed again.
/// </remarks>
internal sealed class SnapshotCatalog
{
    /// <summary>How many times the sets are listed before giving up on a repository whose sets keep changing.</summary>
    private const int MaxSetListings = 8;

    private SnapshotCatalog(Dictionary<ObjectId, SnapshotRecord> records, List<ObjectId> loose, List<StoredRecordSet> sets)
    {
        Records = records;
        Loose = loose;
        Sets = sets;
    }

    /// <summary>Every record by snapshot id (each once, however many places hold it).</summary>
    public IReadOnlyDictionary<ObjectId, SnapshotRecord> Records { get; }

    /// <summary>The snapshots whose record was read from <c>snapshots/&lt;id&gt;</c>, in id order.</summary>
    public IReadOnlyList<ObjectId> Loose { get; }

    /// <summary>The record sets read, in id order.</summary>
    public IReadOnlyList<StoredRecordSet> Sets { get; }

    /// <summary>The records as stored snapshots, oldest first (ties by id).</summary>
    public IReadOnlyList<StoredSnapshot> Snapshots() =>
        [.. Records.Select(r => new StoredSnapshot(r.Key, r.Value)).OrderBy(s => s.Record.Time).ThenBy(s => s.Id)];

    /// <summary>Reads every record (see the remarks for the order).</summary>
    /// <exception cref="RepositoryFormatException">A record or record set is damaged.</exception>
    /// <exception cref="SnapshotRepositoryException">The sets changed on every one of several listings.</exception>
    public static async Task<SnapshotCatalog> LoadAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var records = new Dictionary<ObjectId, SnapshotRecord>();
        var loose = new List<ObjectId>();
        foreach (var id in await ListIdsAsync(store, RepositoryLayout.SnapshotsFolder, RepositoryObjectKind.Snapshot, cancellationToken).ConfigureAwait(false))
        {
            if (await RepositoryStore.TryReadAllAsync(store, RepositoryLayout.SnapshotPath(id), cancellationToken).ConfigureAwait(false) is { } bytes)
            {
                records[id] = SnapshotRecord.Decode(id, bytes);
                loose.Add(id);
            }
        }

        var sets = new Dictionary<ObjectId, StoredRecordSet>();
        for (var listing = 1; ; listing++)
        {
            var vanished = false;
            foreach (var id in await ListIdsAsync(store, RepositoryLayout.RecordSetsFolder, RepositoryObjectKind.RecordSet, cancellationToken).ConfigureAwait(false))
            {
                if (sets.ContainsKey(id))
                {
                    continue;
                }

                if (await RepositoryStore.TryReadAllAsync(store, RepositoryLayout.RecordSetPath(id), cancellationToken).ConfigureAwait(false) is { } bytes)
                {
                    sets[id] = new StoredRecordSet(id, bytes.LongLength, SnapshotRecordSet.Decode(id, bytes));
                }
                else
                {
                    vanished = true;
                }
            }

            if (!vanished)
            {
                break;
            }

            if (listing == MaxSetListings)
            {
                throw new SnapshotRepositoryException(
                    $"the snapshot record sets of the repository at {store.DisplayName} changed on each of {MaxSetListings} listings (is a compaction or forget running?); try again");
            }
        }

        foreach (var set in sets.Values)
        {
            foreach (var snapshot in set.Set.Records)
            {
                records.TryAdd(snapshot.Id, snapshot.Record);
            }
        }

        return new SnapshotCatalog(records, loose, [.. sets.Values.OrderBy(s => s.Id)]);
    }

    /// <summary>One snapshot's record: stored alone, else looked up in the sets; null when the repository has none.</summary>
    /// <exception cref="RepositoryFormatException">The record (or a record set) is damaged.</exception>
    public static async Task<SnapshotRecord?> FindAsync(IObjectStore store, ObjectId snapshotId, CancellationToken cancellationToken)
    {
        if (await RepositoryStore.TryReadAllAsync(store, RepositoryLayout.SnapshotPath(snapshotId), cancellationToken).ConfigureAwait(false) is { } bytes)
        {
            return SnapshotRecord.Decode(snapshotId, bytes);
        }

        // Merged by a compaction (or forgotten): the full read lists the sets after this miss.
        var catalog = await LoadAsync(store, cancellationToken).ConfigureAwait(false);
        return catalog.Records.GetValueOrDefault(snapshotId);
    }

    private static async Task<List<ObjectId>> ListIdsAsync(IObjectStore store, string folder, RepositoryObjectKind kind, CancellationToken cancellationToken)
    {
        var ids = new List<ObjectId>();
        await foreach (var info in RepositoryStore.ListFolderAsync(store, folder, cancellationToken).ConfigureAwait(false))
        {
            if (RepositoryLayout.TryParse(info.Path, out var parsed) && parsed.Kind == kind)
            {
                ids.Add(parsed.Id);
            }
        }

        return ids;
    }
}

/// <summary>A record set as read: its id, stored length and records.</summary>
internal sealed record StoredRecordSet(ObjectId Id, long Size, SnapshotRecordSet Set);
