namespace SyncFunctions.Abstractions;

/// <summary>
/// Capability of a destination that keeps versioned snapshots (a snapshot repository) rather than a mirror: each pair
/// has its own view of it, which lists the pair's latest snapshot and takes content for the next one.
/// </summary>
public interface ISnapshotDestination
{
    /// <summary>
    /// The store a run of pair <paramref name="pairId"/> uses as its destination: it lists the files of the pair's latest
    /// snapshot, writes content into the repository, and has <see cref="ISnapshotCommitter"/>. No request is sent.
    /// </summary>
    IObjectStore ForPair(string pairId);
}

/// <summary>
/// Capability of a pair's view of a snapshot destination: the run's finalizer commits what the run's baseline holds
/// (every file synced, with the reference its write returned as <see cref="BaselineEntry.DestETag"/>) as one snapshot.
/// </summary>
public interface ISnapshotCommitter
{
    /// <summary>
    /// Makes a snapshot of <paramref name="baseline"/> (in ordinal path order) and moves the pair's head to it. A retry
    /// for a run whose snapshot is the head already returns that snapshot and writes nothing.
    /// </summary>
    /// <exception cref="StorageException">The repository could not be read or written.</exception>
    /// <exception cref="InvalidOperationException">An entry's reference is not one this destination returned.</exception>
    Task<SnapshotCommitted> CommitSnapshotAsync(SnapshotCommitRequest request, IAsyncEnumerable<BaselineEntry> baseline, CancellationToken cancellationToken);
}

/// <summary>Whose snapshot a run commits.</summary>
/// <param name="PairId">The pair (its head moves).</param>
/// <param name="Source">The source, as displayed (no secrets).</param>
/// <param name="RunId">The run; a retried commit of the same run is recognised by it.</param>
/// <param name="Host">The host committing.</param>
/// <param name="Partial">True when some actions failed or deletes were held back: the snapshot is tagged <c>partial</c>.</param>
public sealed record SnapshotCommitRequest(string PairId, string Source, string RunId, string Host, bool Partial);

/// <summary>A committed snapshot.</summary>
/// <param name="SnapshotId">Its id (64 hex digits).</param>
/// <param name="Files">The files it holds.</param>
/// <param name="Bytes">Their logical size.</param>
public sealed record SnapshotCommitted(string SnapshotId, long Files, long Bytes);
