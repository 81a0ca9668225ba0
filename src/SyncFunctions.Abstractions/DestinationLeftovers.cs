namespace SyncFunctions.Abstractions;

/// <summary>One chunk staged for an object and not committed.</summary>
/// <param name="Id">The chunk id.</param>
/// <param name="Size">Its size in bytes.</param>
public sealed record StagedChunk(string Id, long Size);

/// <summary>What an object's staged chunks are, and whether the object has committed content besides.</summary>
/// <param name="Chunks">The staged, uncommitted chunks (empty when none).</param>
/// <param name="HasCommittedContent">The object exists with committed content (its staged chunks cannot be dropped without rewriting it).</param>
public sealed record StagedChunkState(IReadOnlyList<StagedChunk> Chunks, bool HasCommittedContent)
{
    /// <summary>Bytes of the staged chunks.</summary>
    public long Bytes => Chunks.Sum(c => c.Size);
}

/// <summary>
/// Capability of a chunked writer (Blob): measures what an unfinished upload left staged, and discards it from an
/// object that was never committed. Used by maintenance, never by a run.
/// </summary>
/// <remarks>Thread-safe. Tokens cancel the one call.</remarks>
public interface IStagedChunkCleaner
{
    /// <summary>The chunks staged for <paramref name="path"/> with their sizes, and whether it has committed content.</summary>
    Task<StagedChunkState> GetStagedChunkStateAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Drops the staged chunks of <paramref name="path"/> when it has no committed content; an object with committed
    /// content is left as it is (false). True when nothing is staged for the path afterwards.
    /// </summary>
    Task<bool> DiscardUncommittedAsync(string path, CancellationToken cancellationToken);
}

/// <summary>
/// Capability of a resumable writer (local folder): measures and removes the partial file an unfinished download
/// left at a path, of whatever source version. Used by maintenance, never by a run.
/// </summary>
/// <remarks>Thread-safe. Tokens cancel the one call. The target object itself is never touched.</remarks>
public interface IPartialFileCleaner
{
    /// <summary>Bytes in the partial file of <paramref name="path"/>, or null when there is none.</summary>
    Task<long?> GetPartialSizeAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the partial file of <paramref name="path"/> (and what names its version) when it still holds
    /// <paramref name="expectedSize"/> bytes; false when it grew or shrank meanwhile (then it is kept) or is gone.
    /// </summary>
    Task<bool> DiscardPartialAsync(string path, long expectedSize, CancellationToken cancellationToken);
}
