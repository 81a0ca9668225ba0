using SyncFunctions.Core.Snapshots.Destination;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

/// <summary>The collector's reads: roots (records, marks), what they reach, and the indexes.</summary>
public sealed partial class GarbageCollector
{
    /// <summary>
    /// The root trees of every record (stored alone or in a record set, read after the marks), the number of snapshots,
    /// and the marks (oldest first). A head names a record written before it, so the records read cover every head.
    /// </summary>
    private async Task<(List<ObjectId> Roots, int Snapshots, List<StoredMark> Marks)> ReadRootsAsync(CancellationToken cancellationToken)
    {
        var marks = new List<StoredMark>();
        await foreach (var info in RepositoryStore.ListFolderAsync(_repository.Store, RepositoryLayout.GcMarksFolder, cancellationToken).ConfigureAwait(false))
        {
            if (RepositoryLayout.TryParse(info.Path, out var parsed) && parsed.Kind == RepositoryObjectKind.GcMark
                && await TryReadAsync(info.Path, cancellationToken).ConfigureAwait(false) is { } bytes)
            {
                marks.Add(new StoredMark(parsed.MarkName!, GcMark.Decode(parsed.MarkName!, bytes)));
            }
        }

        // A record forgotten since the listing references nothing any more.
        var records = (await SnapshotCatalog.LoadAsync(_repository.Store, cancellationToken).ConfigureAwait(false)).Records;
        List<ObjectId> roots = [.. records.OrderBy(r => r.Key).Select(r => r.Value.RootTree)];
        return (roots, roots.Count, [.. marks.OrderBy(m => m.Mark.Time).ThenBy(m => m.Name, StringComparer.Ordinal)]);
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
