using System.Runtime.CompilerServices;
using SyncFunctions.Core.Snapshots.Format;
using TreeEntry = SyncFunctions.Core.Snapshots.Format.TreeEntry;

namespace SyncFunctions.Core.Snapshots;

/// <summary>Reads a repository's snapshots: lists them, reads their trees, walks their files and restores them.</summary>
/// <remarks>Thread-safe (no state of its own; chunk reads share the content's footer cache).</remarks>
public sealed partial class SnapshotReader(SnapshotRepository repository)
{
    /// <summary>Every snapshot of the repository with its record (stored alone or in a record set), oldest first (ties by id).</summary>
    /// <exception cref="RepositoryFormatException">A snapshot record or record set is damaged.</exception>
    public async Task<IReadOnlyList<StoredSnapshot>> ListAsync(CancellationToken cancellationToken) =>
        (await SnapshotCatalog.LoadAsync(repository.Store, cancellationToken).ConfigureAwait(false)).Snapshots();

    /// <summary>The record of a snapshot.</summary>
    /// <exception cref="SnapshotRepositoryException">The repository has no such snapshot.</exception>
    /// <exception cref="RepositoryFormatException">Its record is damaged.</exception>
    public async Task<SnapshotRecord> GetAsync(ObjectId snapshotId, CancellationToken cancellationToken) =>
        await TryGetAsync(snapshotId, cancellationToken).ConfigureAwait(false)
            ?? throw new SnapshotRepositoryException($"no snapshot {snapshotId} in the repository at {repository.Store.DisplayName}");

    /// <summary>A tree manifest.</summary>
    /// <exception cref="RepositoryFormatException">The tree is not stored (<see cref="FormatDamage.Missing"/>) or damaged.</exception>
    public async Task<TreeManifest> ReadTreeAsync(ObjectId treeId, CancellationToken cancellationToken)
    {
        var bytes = await RepositoryStore.TryReadAllAsync(repository.Store, RepositoryLayout.TreePath(treeId), cancellationToken).ConfigureAwait(false)
            ?? throw new RepositoryFormatException($"tree {treeId}", FormatDamage.Missing, "is not in the store");
        return TreeManifest.Decode(treeId, bytes);
    }

    /// <summary>Every file of a snapshot with its full path, in ordinal path order.</summary>
    /// <exception cref="SnapshotRepositoryException">The repository has no such snapshot.</exception>
    /// <exception cref="RepositoryFormatException">A record or tree is missing or damaged.</exception>
    public async IAsyncEnumerable<SnapshotFileEntry> WalkAsync(ObjectId snapshotId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var record = await GetAsync(snapshotId, cancellationToken).ConfigureAwait(false);
        await foreach (var file in WalkTreeAsync(record.RootTree, "", cancellationToken).ConfigureAwait(false))
        {
            yield return file;
        }
    }

    /// <summary>The files below a tree whose path is <paramref name="prefix"/> ("" for the root), in ordinal path order.</summary>
    private async IAsyncEnumerable<SnapshotFileEntry> WalkTreeAsync(ObjectId treeId, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var tree = await ReadTreeAsync(treeId, cancellationToken).ConfigureAwait(false);

        // A directory's files have paths "name/...": ordered among its siblings as "name/", not as "name".
        foreach (var entry in tree.Entries.OrderBy(PathOrderKey, StringComparer.Ordinal))
        {
            var path = prefix.Length == 0 ? entry.Name : prefix + "/" + entry.Name;
            if (entry.Kind == TreeEntryKind.File)
            {
                yield return new SnapshotFileEntry(path, entry);
                continue;
            }

            await foreach (var file in WalkTreeAsync(entry.Subtree!.Value, path, cancellationToken).ConfigureAwait(false))
            {
                yield return file;
            }
        }
    }

    private static string PathOrderKey(TreeEntry entry) => entry.Kind == TreeEntryKind.Directory ? entry.Name + "/" : entry.Name;

    private Task<SnapshotRecord?> TryGetAsync(ObjectId snapshotId, CancellationToken cancellationToken) =>
        SnapshotCatalog.FindAsync(repository.Store, snapshotId, cancellationToken);
}
