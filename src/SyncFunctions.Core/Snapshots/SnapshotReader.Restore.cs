using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots;

public sealed partial class SnapshotReader
{
    /// <summary>Files a restore writes at once (each reads its chunks in order; 8 by default).</summary>
    public int RestoreParallelism { get; init; } = 8;

    /// <summary>
    /// Writes the files of a snapshot (all, or those at or below <paramref name="subPath"/>) to
    /// <paramref name="destination"/> at their full snapshot paths, each checked against the SHA-256 its tree
    /// records. Resumable: a destination file of the right size whose content (read back) has that SHA-256 is
    /// skipped; any other file at a path is overwritten.
    /// </summary>
    /// <param name="snapshotId">The snapshot.</param>
    /// <param name="destination">Where to write (its root is the snapshot's root).</param>
    /// <param name="subPath">A file or directory of the snapshot to restore alone ('/'-separated), or null for all.</param>
    /// <param name="cancellationToken">Cancels the reads and writes; files written so far stay (and are skipped next time).</param>
    /// <exception cref="ArgumentException"><paramref name="subPath"/> is not a valid path or not in the snapshot.</exception>
    /// <exception cref="SnapshotRepositoryException">The repository has no such snapshot.</exception>
    /// <exception cref="RepositoryFormatException">A tree, pack or chunk is missing or damaged, or a file's chunks do not hash to its content hash.</exception>
    public async Task<RestoreResult> RestoreAsync(ObjectId snapshotId, IObjectStore destination, string? subPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var record = await GetAsync(snapshotId, cancellationToken).ConfigureAwait(false);
        var files = string.IsNullOrEmpty(subPath)
            ? WalkTreeAsync(record.RootTree, "", cancellationToken)
            : await SelectAsync(snapshotId, record.RootTree, subPath, cancellationToken).ConfigureAwait(false);

        long written = 0, skipped = 0, bytes = 0;
        await Parallel.ForEachAsync(
            files,
            new ParallelOptions { MaxDegreeOfParallelism = RestoreParallelism, CancellationToken = cancellationToken },
            async (file, ct) =>
            {
                if (await RestoreFileAsync(destination, file, ct).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref written);
                    Interlocked.Add(ref bytes, file.Entry.Size);
                }
                else
                {
                    Interlocked.Increment(ref skipped);
                }
            }).ConfigureAwait(false);

        return new RestoreResult(written, skipped, bytes);
    }

    private async Task<IAsyncEnumerable<SnapshotFileEntry>> SelectAsync(ObjectId snapshotId, ObjectId root, string subPath, CancellationToken cancellationToken)
    {
        if (RelativePath.Validate(subPath) is { } problem)
        {
            throw new ArgumentException($"'{subPath}' is not a path within a snapshot: {problem}", nameof(subPath));
        }

        var segments = subPath.Split('/');
        var tree = await ReadTreeAsync(root, cancellationToken).ConfigureAwait(false);
        for (var i = 0; ; i++)
        {
            var walked = string.Join('/', segments[..(i + 1)]);
            var entry = tree.Find(segments[i])
                ?? throw new ArgumentException($"'{subPath}' is not in snapshot {snapshotId}: it has no '{walked}'", nameof(subPath));
            if (i == segments.Length - 1)
            {
                return entry.Kind == TreeEntryKind.File
                    ? One(new SnapshotFileEntry(subPath, entry))
                    : WalkTreeAsync(entry.Subtree!.Value, subPath, cancellationToken);
            }

            if (entry.Kind == TreeEntryKind.File)
            {
                throw new ArgumentException($"'{subPath}' is not in snapshot {snapshotId}: '{walked}' is a file", nameof(subPath));
            }

            tree = await ReadTreeAsync(entry.Subtree!.Value, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async IAsyncEnumerable<SnapshotFileEntry> One(SnapshotFileEntry file)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield return file;
    }

    /// <summary>Writes one file unless the destination has it already; true when written.</summary>
    private async Task<bool> RestoreFileAsync(IObjectStore destination, SnapshotFileEntry file, CancellationToken cancellationToken)
    {
        var expected = file.Entry.ContentHash!.Value;
        var existing = await destination.GetInfoAsync(file.Path, cancellationToken).ConfigureAwait(false);
        if (existing is not null && existing.Size == file.Entry.Size
            && await HashOfAsync(destination, file.Path, cancellationToken).ConfigureAwait(false) == expected)
        {
            return false;
        }

        var content = new RestoreStream(repository.Content, file);
        await using (content.ConfigureAwait(false))
        {
            var options = new WriteOptions(Sha256: expected.ToString(), SourceLastModified: file.Entry.Modified);
            await destination.WriteAsync(file.Path, content, options, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private static async Task<ObjectId?> HashOfAsync(IObjectStore store, string path, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await store.OpenReadAsync(path, 0, null, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return ObjectId.FromBytes(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
            }
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            return null;
        }
    }
}
