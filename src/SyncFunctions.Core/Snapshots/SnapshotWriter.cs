using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots;

/// <summary>
/// Writes a snapshot: its trees (bottom-up, content-addressed, write-if-absent), its record, and then moves the
/// pair's head to it under an ETag condition.
/// </summary>
/// <remarks>
/// Write order is trees, record, head, so a crash at any point leaves a valid repository: what was written is reused
/// by the next snapshot (ids are content addresses) or collected by GC. A lost race for the head leaves the record
/// stored and throws <see cref="SnapshotConflictException"/>. Thread-safe (no state between calls).
/// </remarks>
public sealed class SnapshotWriter(SnapshotRepository repository, TimeProvider time)
{
    /// <summary>
    /// Writes a snapshot of <paramref name="files"/> (every file of the source, in ordinal path order; their chunks
    /// flushed already) and makes it the pair's head.
    /// </summary>
    /// <param name="files">The files, in ordinal order of their paths; none makes a snapshot with an empty root tree.</param>
    /// <param name="info">Whose snapshot it is and who takes it.</param>
    /// <param name="cancellationToken">Cancels the reads and writes; what was written stays (harmless).</param>
    /// <returns>
    /// The new snapshot's id and record; when the pair's head already names a snapshot of <see cref="SnapshotInfo.RunId"/>
    /// (a retry of a run that got that far), that one, with nothing written and <paramref name="files"/> not read.
    /// </returns>
    /// <exception cref="ArgumentException">A path is invalid or out of order (the message names both paths).</exception>
    /// <exception cref="InvalidOperationException">A file names a chunk no index knows (its writer was not flushed).</exception>
    /// <exception cref="SnapshotConflictException">The pair's head moved while this snapshot was written.</exception>
    public async Task<StoredSnapshot> WriteAsync(IAsyncEnumerable<SnapshotFile> files, SnapshotInfo info, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(info);
        var headPath = RepositoryLayout.HeadPath(info.Pair.Id);
        var (head, headETag) = await ReadHeadAsync(info.Pair.Id, headPath, cancellationToken).ConfigureAwait(false);
        if (head is not null && await ReadRecordAsync(head.Snapshot, cancellationToken).ConfigureAwait(false) is { } current && current.RunId == info.RunId)
        {
            // A retried finalize: this run's snapshot is the head already.
            return new StoredSnapshot(head.Snapshot, current);
        }

        var trees = new TreeBuilder(repository.Content);
        await foreach (var file in files.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            await trees.AddAsync(file, cancellationToken).ConfigureAwait(false);
        }

        var root = await trees.FinishAsync(cancellationToken).ConfigureAwait(false);
        await RequireKnownChunksAsync(trees.UnknownChunks, cancellationToken).ConfigureAwait(false);

        var record = new SnapshotRecord
        {
            Time = time.GetUtcNow(),
            Pair = info.Pair,
            Source = info.Source,
            Host = info.Host,
            RunId = info.RunId,
            RootTree = root,
            Files = trees.Files,
            Bytes = trees.Bytes,
            Parent = head?.Snapshot,
            Tags = info.Tags,
        };
        var stored = record.Encode();
        await RepositoryStore.WriteIfAbsentAsync(repository.Store, RepositoryLayout.SnapshotPath(stored.Id), stored.Bytes, cancellationToken).ConfigureAwait(false);

        var newHead = new SnapshotHead(info.Pair, stored.Id, record.Time).Encode();
        try
        {
            using var body = new MemoryStream(newHead, writable: false);
            var condition = headETag is null ? new WriteOptions(IfNoneMatch: true) : new WriteOptions(IfMatch: headETag);
            await repository.Store.WriteAsync(headPath, body, condition, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.PreconditionFailed)
        {
            var (other, _) = await ReadHeadAsync(info.Pair.Id, headPath, cancellationToken).ConfigureAwait(false);
            throw new SnapshotConflictException(info.Pair.Id, stored.Id, other?.Snapshot);
        }

        return new StoredSnapshot(stored.Id, record);
    }

    /// <summary>The pair's head and its ETag, or nulls when the pair has none.</summary>
    internal async Task<(SnapshotHead? Head, string? ETag)> ReadHeadAsync(string pairId, string headPath, CancellationToken cancellationToken)
    {
        // The ETag is read before the content: if the head moves in between, the older ETag fails the If-Match
        // (a conflict reported), never a newer head overwritten.
        var info = await repository.Store.GetInfoAsync(headPath, cancellationToken).ConfigureAwait(false);
        if (info is null)
        {
            return (null, null);
        }

        var bytes = await RepositoryStore.TryReadAllAsync(repository.Store, headPath, cancellationToken).ConfigureAwait(false);
        return bytes is null ? (null, info.Version) : (SnapshotHead.Decode(pairId, bytes), info.Version);
    }

    private Task<SnapshotRecord?> ReadRecordAsync(ObjectId snapshotId, CancellationToken cancellationToken) =>
        SnapshotCatalog.FindAsync(repository.Store, snapshotId, cancellationToken);

    private async Task RequireKnownChunksAsync(IReadOnlyDictionary<ObjectId, string> unknown, CancellationToken cancellationToken)
    {
        if (unknown.Count == 0)
        {
            return;
        }

        // Another process may have flushed them since this one loaded the indexes.
        await repository.Content.RefreshAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (chunk, path) in unknown)
        {
            if (!repository.Content.IsIndexed(chunk))
            {
                throw new InvalidOperationException(
                    $"file '{path}' names chunk {chunk}, which no index of the repository holds: flush the chunk writer before writing the snapshot");
            }
        }
    }
}
