using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots;

/// <summary>One file of a snapshot being written.</summary>
/// <param name="Path">Its path relative to the source's root, '/'-separated.</param>
/// <param name="Modified">Its last-modified time.</param>
/// <param name="Content">Its content, chunked into the repository (<see cref="RepositoryContent.ChunkFileAsync"/>).</param>
public sealed record SnapshotFile(string Path, DateTimeOffset Modified, FileContent Content);

/// <summary>What a snapshot record says besides its tree: whose, from where, by which run.</summary>
/// <param name="Pair">The pair; its head is moved to the new snapshot.</param>
/// <param name="Source">The source endpoint, as text.</param>
/// <param name="Host">The host taking the snapshot.</param>
/// <param name="RunId">The run taking it.</param>
public sealed record SnapshotInfo(SnapshotPair Pair, string Source, string Host, string RunId)
{
    /// <summary>The snapshot's tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}

/// <summary>A stored snapshot: its id (the SHA-256 of its record) and its record.</summary>
/// <param name="Id">The snapshot id.</param>
/// <param name="Record">The decoded record.</param>
public sealed record StoredSnapshot(ObjectId Id, SnapshotRecord Record);

/// <summary>A file of a snapshot, as a walk of its trees finds it.</summary>
/// <param name="Path">Its full path from the snapshot's root, '/'-separated.</param>
/// <param name="Entry">Its tree entry (time, size, content hash, chunks).</param>
public sealed record SnapshotFileEntry(string Path, TreeEntry Entry);

/// <summary>What a restore did.</summary>
/// <param name="FilesWritten">Files written to the destination.</param>
/// <param name="FilesSkipped">Files left as they were: already there with the right content.</param>
/// <param name="BytesWritten">The bytes of the files written.</param>
public sealed record RestoreResult(long FilesWritten, long FilesSkipped, long BytesWritten);

/// <summary>
/// A pair's head moved while a snapshot was written (another snapshot of the pair won the race). The snapshot this
/// writer made stays stored (never lost; it is just not the head), so it can be found by listing and removed by GC.
/// </summary>
public sealed class SnapshotConflictException : Exception
{
    public SnapshotConflictException(string pairId, ObjectId snapshot, ObjectId? other)
        : base($"pair {pairId}: snapshot {snapshot} was written but did not become the pair's head: "
            + (other is { } o ? $"snapshot {o} became the head meanwhile" : "the head changed meanwhile")
            + "; the snapshot is kept, not as the head")
    {
        PairId = pairId;
        Snapshot = snapshot;
        Other = other;
    }

    public SnapshotConflictException()
        : this("a head changed while a snapshot was written")
    {
    }

    public SnapshotConflictException(string message)
        : base(message)
    {
        PairId = "";
    }

    public SnapshotConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
        PairId = "";
    }

    /// <summary>The pair whose head moved.</summary>
    public string PairId { get; }

    /// <summary>The snapshot that was written but did not become the head.</summary>
    public ObjectId Snapshot { get; }

    /// <summary>The snapshot the head names now, when it could be read.</summary>
    public ObjectId? Other { get; }
}
