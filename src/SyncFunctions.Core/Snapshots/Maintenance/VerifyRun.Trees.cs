using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

internal sealed partial class VerifyRun
{
    private readonly Dictionary<ObjectId, SnapshotRecord> _records = [];
    private readonly HashSet<ObjectId> _reachedTrees = [];
    private readonly HashSet<ObjectId> _referenced = [];
    private int _heads;
    private int _recordSets;
    private int _treesRead;

    /// <summary>
    /// Every snapshot record and record set decodes (and hashes to its id); every head decodes and names a stored
    /// snapshot of its pair.
    /// </summary>
    public async Task CheckSnapshotsAsync()
    {
        var phase = new PhaseProgress(progress, VerifyPhase.Snapshots, _listing.Snapshots.Count + _listing.RecordSets.Count + _listing.Heads.Count);
        var vanished = new List<ObjectId>();
        await System.Threading.Tasks.Parallel.ForEachAsync(_listing.Snapshots, Options, async (id, ct) =>
        {
            var path = RepositoryLayout.SnapshotPath(id);
            var bytes = await RepositoryStore.TryReadAllAsync(store, path, ct).ConfigureAwait(false);
            if (bytes is null)
            {
                lock (_gate)
                {
                    vanished.Add(id);
                }
            }
            else if (Decode(path, () => SnapshotRecord.Decode(id, bytes)) is { } record)
            {
                lock (_gate)
                {
                    _records[id] = record;
                }
            }

            phase.Step();
        }).ConfigureAwait(false);

        // After the records: compaction writes a set before it deletes the records it merged (SnapshotCatalog).
        await System.Threading.Tasks.Parallel.ForEachAsync(_listing.RecordSets, Options, async (id, ct) =>
        {
            var path = RepositoryLayout.RecordSetPath(id);
            var bytes = await RepositoryStore.TryReadAllAsync(store, path, ct).ConfigureAwait(false);
            if (bytes is null)
            {
                Add(new VerifyProblem(path, FormatDamage.Missing, "was listed but could not be read (deleted meanwhile?)"));
            }
            else if (Decode(path, () => SnapshotRecordSet.Decode(id, bytes)) is { } set)
            {
                lock (_gate)
                {
                    _recordSets++;
                    foreach (var snapshot in set.Records)
                    {
                        _records.TryAdd(snapshot.Id, snapshot.Record);
                    }
                }
            }

            phase.Step();
        }).ConfigureAwait(false);

        foreach (var id in vanished.Where(id => !_records.ContainsKey(id)))
        {
            Add(new VerifyProblem(RepositoryLayout.SnapshotPath(id), FormatDamage.Missing, "was listed but could not be read (deleted meanwhile?)"));
        }

        var listed = _listing.Snapshots.Except(vanished).Union(_records.Keys).ToHashSet();
        await System.Threading.Tasks.Parallel.ForEachAsync(_listing.Heads, Options, async (pairId, ct) =>
        {
            var path = RepositoryLayout.HeadPath(pairId);
            var bytes = await RepositoryStore.TryReadAllAsync(store, path, ct).ConfigureAwait(false);
            Interlocked.Increment(ref _heads);
            if (bytes is null)
            {
                Add(new VerifyProblem(path, FormatDamage.Missing, "was listed but could not be read (deleted meanwhile?)"));
            }
            else if (Decode(path, () => SnapshotHead.Decode(pairId, bytes)) is { } head)
            {
                CheckHead(path, head, listed);
            }

            phase.Step();
        }).ConfigureAwait(false);
        phase.Finish();
    }

    /// <summary>
    /// Every tree reachable from a snapshot is stored and decodes; every file's chunks are in a live index with the
    /// length the file gives them (and a file of one chunk has that chunk's id as its content hash).
    /// </summary>
    public async Task CheckTreesAsync()
    {
        var frontier = new List<TreeVisit>();
        foreach (var (id, record) in _records.OrderBy(r => r.Key))
        {
            if (_reachedTrees.Add(record.RootTree))
            {
                frontier.Add(new TreeVisit(record.RootTree, "", $"snapshot {id}"));
            }
        }

        var phase = new PhaseProgress(progress, VerifyPhase.Trees, frontier.Count);
        while (frontier.Count > 0)
        {
            var next = new List<TreeVisit>();
            await System.Threading.Tasks.Parallel.ForEachAsync(frontier, Options, async (visit, ct) =>
            {
                var subtrees = await CheckTreeAsync(visit, ct).ConfigureAwait(false);
                lock (_gate)
                {
                    var added = 0;
                    foreach (var subtree in subtrees.Where(s => _reachedTrees.Add(s.Tree)))
                    {
                        next.Add(subtree);
                        added++;
                    }

                    phase.Add(added);
                }

                phase.Step();
            }).ConfigureAwait(false);
            frontier = next;
        }

        phase.Finish();
    }

    private void CheckHead(string path, SnapshotHead head, HashSet<ObjectId> listed)
    {
        SnapshotRecord? record;
        lock (_gate)
        {
            _records.TryGetValue(head.Snapshot, out record);
        }

        if (!listed.Contains(head.Snapshot))
        {
            Add(new VerifyProblem(path, FormatDamage.Missing, $"names snapshot {head.Snapshot}, which is not in the store"));
        }
        else if (record is not null && record.Pair.Id != head.Pair.Id)
        {
            Add(new VerifyProblem(path, FormatDamage.Malformed, $"names snapshot {head.Snapshot}, which is a snapshot of pair {record.Pair.Id}"));
        }
    }

    /// <summary>Reads and checks one tree; returns its subtrees.</summary>
    private async Task<List<TreeVisit>> CheckTreeAsync(TreeVisit visit, CancellationToken ct)
    {
        var path = RepositoryLayout.TreePath(visit.Tree);
        var bytes = await RepositoryStore.TryReadAllAsync(store, path, ct).ConfigureAwait(false);
        if (bytes is null)
        {
            Add(new VerifyProblem(path, FormatDamage.Missing, $"is not in the store, but {visit.Referrer} names it as {visit.Describe()}"));
            return [];
        }

        if (Decode(path, () => TreeManifest.Decode(visit.Tree, bytes), $" ({visit.Referrer} names it as {visit.Describe()})") is not { } tree)
        {
            return [];
        }

        Interlocked.Increment(ref _treesRead);
        var subtrees = new List<TreeVisit>();
        foreach (var entry in tree.Entries)
        {
            var entryPath = visit.Path.Length == 0 ? entry.Name : visit.Path + "/" + entry.Name;
            if (entry.Kind == TreeEntryKind.Directory)
            {
                subtrees.Add(new TreeVisit(entry.Subtree!.Value, entryPath, $"tree {visit.Tree}"));
            }
            else
            {
                CheckFile(path, entryPath, entry);
            }
        }

        return subtrees;
    }

    private void CheckFile(string treePath, string filePath, TreeEntry file)
    {
        if (file.Chunks is [var only] && file.ContentHash != only.Id)
        {
            Add(new VerifyProblem(treePath, FormatDamage.HashMismatch,
                $"file '{filePath}' is one chunk, {only.Id}, but its content hash is {file.ContentHash}") { Chunk = only.Id });
        }

        foreach (var chunk in file.Chunks)
        {
            bool first;
            lock (_gate)
            {
                first = _referenced.Add(chunk.Id);
            }

            if (!Indexes.Chunks.TryGetValue(chunk.Id, out var location))
            {
                if (first)
                {
                    Add(new VerifyProblem(treePath, FormatDamage.Missing, $"file '{filePath}' names chunk {chunk.Id}, which no live index holds") { Chunk = chunk.Id });
                }
            }
            else if (location.Entry.RawLength != chunk.Length)
            {
                Add(new VerifyProblem(treePath, FormatDamage.Malformed,
                    $"file '{filePath}' gives chunk {chunk.Id} {chunk.Length} bytes, but pack {location.PackId} holds {location.Entry.RawLength}") { Chunk = chunk.Id });
            }
        }
    }

    /// <summary>The decoded object, or null with its damage added as a problem of <paramref name="path"/>.</summary>
    private T? Decode<T>(string path, Func<T> decode, string context = "")
        where T : class
    {
        try
        {
            return decode();
        }
        catch (RepositoryFormatException e)
        {
            Add(new VerifyProblem(path, e.Damage, e.Problem + context));
            return null;
        }
    }

    /// <summary>A tree to check, the path it was first reached at and what named it.</summary>
    private sealed record TreeVisit(ObjectId Tree, string Path, string Referrer)
    {
        public string Describe() => Path.Length == 0 ? "its root" : $"'{Path}'";
    }
}
