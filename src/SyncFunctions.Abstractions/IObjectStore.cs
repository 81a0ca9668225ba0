namespace SyncFunctions.Abstractions;

/// <summary>
/// The small storage seam every source and destination implements (local folder, Blob container,
/// later Graph drives). Optional abilities are separate capability interfaces that a store may also
/// implement; the engine checks for them and never asks which kind of store it has.
/// </summary>
/// <remarks>
/// Implementations are thread-safe: many workers call one instance concurrently.
/// Every failure surfaces as <see cref="StorageException"/>. Cancellation tokens cancel the one call.
/// </remarks>
public interface IObjectStore
{
    /// <summary>A display form of the endpoint without secrets (for logs and messages).</summary>
    string DisplayName { get; }

    /// <summary>
    /// Streams every object under the store's root in canonical order: ordinal comparison of the full
    /// relative path. Names the store cannot return are yielded as skipped entries, never thrown.
    /// Throws <see cref="StorageException"/> with <see cref="StorageErrorKind.NotFound"/> when the root is missing.
    /// </summary>
    IAsyncEnumerable<ListingEntry> ListAsync(CancellationToken cancellationToken);

    /// <summary>Info for one path, or null when nothing is there.</summary>
    Task<ObjectInfo?> GetInfoAsync(string path, CancellationToken cancellationToken);

    /// <summary>Opens a read of <paramref name="length"/> bytes (null: to the end) from <paramref name="offset"/>.</summary>
    Task<Stream> OpenReadAsync(string path, long offset, long? length, CancellationToken cancellationToken);

    /// <summary>Writes a whole object in one request, honouring the condition in <paramref name="options"/>.</summary>
    Task<WriteResult> WriteAsync(string path, Stream content, WriteOptions options, CancellationToken cancellationToken);

    /// <summary>Deletes an object, honouring <see cref="WriteOptions.IfMatch"/>. Deleting a missing object is not an error.</summary>
    Task DeleteAsync(string path, WriteOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// The store's implementation of an optional capability (<see cref="IChunkedWriter"/>, <see cref="IChangeSource"/>, ...),
    /// or null when it has none. Callers ask this, never <c>store is IChunkedWriter</c>: a decorator (retrying, logging)
    /// offers exactly the capabilities of the store it wraps.
    /// </summary>
    /// <typeparam name="T">The capability interface.</typeparam>
    T? GetCapability<T>()
        where T : class => this as T;
}

/// <summary>
/// Capability: a destination that stages chunks (Blob blocks) and commits them as one object.
/// Staged but uncommitted chunks survive a crash and can be listed, which is how an interrupted upload resumes.
/// </summary>
public interface IChunkedWriter
{
    /// <summary>Largest chunk the service accepts.</summary>
    long MaxChunkSize { get; }

    /// <summary>Most chunks one object may have.</summary>
    int MaxChunkCount { get; }

    /// <summary>Ids of chunks staged for <paramref name="path"/> but not committed yet (empty when none).</summary>
    Task<IReadOnlyCollection<string>> GetStagedChunksAsync(string path, CancellationToken cancellationToken);

    /// <summary>Stages one chunk under a caller-chosen id (base64, all ids of one object the same length).</summary>
    Task StageChunkAsync(string path, string chunkId, Stream content, CancellationToken cancellationToken);

    /// <summary>Commits the chunks in order as the object's content, honouring the condition.</summary>
    Task<WriteResult> CommitChunksAsync(string path, IReadOnlyList<string> chunkIds, WriteOptions options, CancellationToken cancellationToken);
}

/// <summary>
/// Capability of a chunked writer (Blob): it lists the chunks an object is committed from, so a new version can
/// commit the unchanged ones by id instead of sending them again (block-level delta).
/// </summary>
public interface ICommittedChunks
{
    /// <summary>Ids of the chunks <paramref name="path"/>'s committed content consists of, in order (empty when none).</summary>
    Task<IReadOnlyList<string>> GetCommittedChunksAsync(string path, CancellationToken cancellationToken);
}

/// <summary>
/// Capability of a source: it can hand out a URL that another service can read the object from
/// (a short-lived SAS URL). Never log the URL: it carries a secret.
/// </summary>
public interface IReadUrlProvider
{
    /// <summary>True when this store can hand out such URLs (e.g. it holds an account key).</summary>
    bool CanProvideReadUrls { get; }

    Task<Uri> GetReadUrlAsync(string path, TimeSpan validFor, CancellationToken cancellationToken);
}

/// <summary>
/// Capability of a destination: it copies from a URL server-side, so no body bytes pass through the worker.
/// </summary>
public interface IServerSideCopy
{
    /// <summary>Largest object copied in one request (Copy Blob From URL: 256 MiB).</summary>
    long MaxSingleCopySize { get; }

    /// <summary>Copies a whole object in one synchronous server-side request.</summary>
    Task<WriteResult> CopyFromUrlAsync(string path, Uri source, WriteOptions options, CancellationToken cancellationToken);

    /// <summary>Stages one chunk by server-side read of a range of <paramref name="source"/> (Put Block From URL).</summary>
    Task StageChunkFromUrlAsync(string path, string chunkId, Uri source, long offset, long length, CancellationToken cancellationToken);
}

/// <summary>
/// Capability of a destination (local folder): writes go to a partial file that survives a crash, so a
/// download resumes with a Range request from the partial length. The partial belongs to one source
/// version; a different version starts over.
/// </summary>
public interface IResumableWriter
{
    /// <summary>Bytes already in the partial file for this source version (0 when none or another version).</summary>
    Task<long> GetPartialLengthAsync(string path, string sourceVersion, CancellationToken cancellationToken);

    /// <summary>Appends to the partial file at <paramref name="offset"/> (truncating anything after it).</summary>
    Task AppendPartialAsync(string path, string sourceVersion, long offset, Stream content, CancellationToken cancellationToken);

    /// <summary>Moves the finished partial into place, honouring the condition.</summary>
    Task<WriteResult> CommitPartialAsync(string path, string sourceVersion, WriteOptions options, CancellationToken cancellationToken);
}
