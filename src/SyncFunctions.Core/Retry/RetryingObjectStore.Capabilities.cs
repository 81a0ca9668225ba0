using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Retry;

/// <summary>The optional capabilities, each retried like the core calls; reachable only through <see cref="GetCapability{T}"/>.</summary>
public sealed partial class RetryingObjectStore :
    IChunkedWriter, ICommittedChunks, IReadUrlProvider, IServerSideCopy, IResumableWriter, IChangeSource, IUploadSessionWriter, IServerSideMove, IServerSideFolderMove, IEmptyFolderPruner, ILocalContent,
    ISnapshotDestination, ISnapshotCommitter, IStagedChunkCleaner, IPartialFileCleaner
{
    /// <summary>A pair's view of a snapshot destination, retried like this store (the repository's requests are retried as parts of its calls).</summary>
    IObjectStore ISnapshotDestination.ForPair(string pairId) => new RetryingObjectStore(Capability<ISnapshotDestination>().ForPair(pairId), _policy);

    Task<SnapshotCommitted> ISnapshotCommitter.CommitSnapshotAsync(SnapshotCommitRequest request, IAsyncEnumerable<BaselineEntry> baseline, CancellationToken cancellationToken) =>
        Run(ct => Capability<ISnapshotCommitter>().CommitSnapshotAsync(request, baseline, ct), cancellationToken);

    long IChunkedWriter.MaxChunkSize => Capability<IChunkedWriter>().MaxChunkSize;

    int IChunkedWriter.MaxChunkCount => Capability<IChunkedWriter>().MaxChunkCount;

    bool IReadUrlProvider.CanProvideReadUrls => Capability<IReadUrlProvider>().CanProvideReadUrls;

    long IServerSideCopy.MaxSingleCopySize => Capability<IServerSideCopy>().MaxSingleCopySize;

    long IUploadSessionWriter.FragmentMultiple => Capability<IUploadSessionWriter>().FragmentMultiple;

    long IUploadSessionWriter.MaxSimpleUploadSize => Capability<IUploadSessionWriter>().MaxSimpleUploadSize;

    Task<IReadOnlyCollection<string>> IChunkedWriter.GetStagedChunksAsync(string path, CancellationToken cancellationToken) =>
        Run(ct => Capability<IChunkedWriter>().GetStagedChunksAsync(path, ct), cancellationToken);

    Task IChunkedWriter.StageChunkAsync(string path, string chunkId, Stream content, CancellationToken cancellationToken) =>
        RunWithBody(content, ct => Capability<IChunkedWriter>().StageChunkAsync(path, chunkId, content, ct), cancellationToken);

    Task<WriteResult> IChunkedWriter.CommitChunksAsync(string path, IReadOnlyList<string> chunkIds, WriteOptions options, CancellationToken cancellationToken) =>
        Run(ct => Capability<IChunkedWriter>().CommitChunksAsync(path, chunkIds, options, ct), cancellationToken);

    Task<IReadOnlyList<string>> ICommittedChunks.GetCommittedChunksAsync(string path, CancellationToken cancellationToken) =>
        Run(ct => Capability<ICommittedChunks>().GetCommittedChunksAsync(path, ct), cancellationToken);

    Task<Uri> IReadUrlProvider.GetReadUrlAsync(string path, TimeSpan validFor, CancellationToken cancellationToken) =>
        Run(ct => Capability<IReadUrlProvider>().GetReadUrlAsync(path, validFor, ct), cancellationToken);

    Task<WriteResult> IServerSideCopy.CopyFromUrlAsync(string path, Uri source, WriteOptions options, CancellationToken cancellationToken) =>
        Run(ct => Capability<IServerSideCopy>().CopyFromUrlAsync(path, source, options, ct), cancellationToken);

    Task IServerSideCopy.StageChunkFromUrlAsync(string path, string chunkId, Uri source, long offset, long length, CancellationToken cancellationToken) =>
        Run(ct => Capability<IServerSideCopy>().StageChunkFromUrlAsync(path, chunkId, source, offset, length, ct), cancellationToken);

    Task<long> IResumableWriter.GetPartialLengthAsync(string path, string sourceVersion, CancellationToken cancellationToken) =>
        Run(ct => Capability<IResumableWriter>().GetPartialLengthAsync(path, sourceVersion, ct), cancellationToken);

    Task IResumableWriter.AppendPartialAsync(string path, string sourceVersion, long offset, Stream content, CancellationToken cancellationToken) =>
        RunWithBody(content, ct => Capability<IResumableWriter>().AppendPartialAsync(path, sourceVersion, offset, content, ct), cancellationToken);

    Task<WriteResult> IResumableWriter.CommitPartialAsync(string path, string sourceVersion, WriteOptions options, CancellationToken cancellationToken) =>
        Run(ct => Capability<IResumableWriter>().CommitPartialAsync(path, sourceVersion, options, ct), cancellationToken);

    Task<string> IChangeSource.GetRootItemIdAsync(CancellationToken cancellationToken) =>
        Run(ct => Capability<IChangeSource>().GetRootItemIdAsync(ct), cancellationToken);

    Task<ChangePage> IChangeSource.ReadChangesAsync(string? link, CancellationToken cancellationToken) =>
        Run(ct => Capability<IChangeSource>().ReadChangesAsync(link, ct), cancellationToken);

    Task<Stream> IChangeSource.OpenReadByIdAsync(string itemId, long offset, long? length, CancellationToken cancellationToken) =>
        OpenResumingAsync((o, l, ct) => Capability<IChangeSource>().OpenReadByIdAsync(itemId, o, l, ct), offset, length, cancellationToken);

    Task<UploadSession> IUploadSessionWriter.CreateUploadSessionAsync(string path, WriteOptions options, CancellationToken cancellationToken) =>
        Run(ct => Capability<IUploadSessionWriter>().CreateUploadSessionAsync(path, options, ct), cancellationToken);

    Task<long?> IUploadSessionWriter.GetNextExpectedOffsetAsync(UploadSession session, CancellationToken cancellationToken) =>
        Run(ct => Capability<IUploadSessionWriter>().GetNextExpectedOffsetAsync(session, ct), cancellationToken);

    Task<WriteResult?> IUploadSessionWriter.UploadFragmentAsync(UploadSession session, long offset, long totalSize, Stream content, CancellationToken cancellationToken) =>
        RunWithBody(content, ct => Capability<IUploadSessionWriter>().UploadFragmentAsync(session, offset, totalSize, content, ct), cancellationToken);

    Task IUploadSessionWriter.CancelUploadSessionAsync(UploadSession session, CancellationToken cancellationToken) =>
        Run(ct => Capability<IUploadSessionWriter>().CancelUploadSessionAsync(session, ct), cancellationToken);

    Task<WriteResult> IServerSideMove.MoveAsync(string fromPath, string toPath, WriteOptions options, CancellationToken cancellationToken) =>
        Run(ct => Capability<IServerSideMove>().MoveAsync(fromPath, toPath, options, ct), cancellationToken);

    /// <remarks>
    /// Retried like any call: an attempt whose reply was lost after the move happened is answered NotFound by the
    /// retry, which the caller handles as "nothing at the old path" (it checks where the files are).
    /// </remarks>
    Task IServerSideFolderMove.MoveFolderAsync(string fromFolder, string toFolder, CancellationToken cancellationToken) =>
        Run(ct => Capability<IServerSideFolderMove>().MoveFolderAsync(fromFolder, toFolder, ct), cancellationToken);

    Task IEmptyFolderPruner.PruneEmptyFoldersAsync(IReadOnlyCollection<string> folders, CancellationToken cancellationToken) =>
        Run(ct => Capability<IEmptyFolderPruner>().PruneEmptyFoldersAsync(folders, ct), cancellationToken);

    Task<StagedChunkState> IStagedChunkCleaner.GetStagedChunkStateAsync(string path, CancellationToken cancellationToken) =>
        Run(ct => Capability<IStagedChunkCleaner>().GetStagedChunkStateAsync(path, ct), cancellationToken);

    /// <remarks>Retried like any call: an attempt whose reply was lost is repeated, and finds nothing staged (true) or the empty blob it left committed (false, kept for the next pass).</remarks>
    Task<bool> IStagedChunkCleaner.DiscardUncommittedAsync(string path, CancellationToken cancellationToken) =>
        Run(ct => Capability<IStagedChunkCleaner>().DiscardUncommittedAsync(path, ct), cancellationToken);

    Task<long?> IPartialFileCleaner.GetPartialSizeAsync(string path, CancellationToken cancellationToken) =>
        Run(ct => Capability<IPartialFileCleaner>().GetPartialSizeAsync(path, ct), cancellationToken);

    Task<bool> IPartialFileCleaner.DiscardPartialAsync(string path, long expectedSize, CancellationToken cancellationToken) =>
        Run(ct => Capability<IPartialFileCleaner>().DiscardPartialAsync(path, expectedSize, ct), cancellationToken);
}
