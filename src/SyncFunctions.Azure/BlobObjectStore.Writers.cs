using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>Staged blocks (<see cref="IChunkedWriter"/>), read SAS URLs and server-side copy.</summary>
public sealed partial class BlobObjectStore
{
    /// <summary>Largest block Put Block accepts (4000 MiB).</summary>
    public long MaxChunkSize => 4000L * 1024 * 1024;

    /// <summary>Most committed blocks one block blob may have.</summary>
    public int MaxChunkCount => 50_000;

    /// <summary>Copy Blob From URL copies at most 256 MiB in one request.</summary>
    public long MaxSingleCopySize => 256L * 1024 * 1024;

    /// <summary>True when the container client holds an account key and can sign read SAS URLs.</summary>
    public bool CanProvideReadUrls => _container.CanGenerateSasUri;

    public async Task<IReadOnlyCollection<string>> GetStagedChunksAsync(string path, CancellationToken cancellationToken) =>
        (await BlockListAsync(path, BlockListTypes.Uncommitted, "list staged blocks of", cancellationToken))?.UncommittedBlocks.Select(b => b.Name).ToList() ?? [];

    public async Task<IReadOnlyList<string>> GetCommittedChunksAsync(string path, CancellationToken cancellationToken) =>
        (await BlockListAsync(path, BlockListTypes.Committed, "list committed blocks of", cancellationToken))?.CommittedBlocks.Select(b => b.Name).ToList() ?? [];

    /// <summary>The blob's block lists of <paramref name="types"/>, or null when there is neither a blob nor a staged block.</summary>
    private async Task<BlockList?> BlockListAsync(string path, BlockListTypes types, string what, CancellationToken cancellationToken)
    {
        try
        {
            return (await BlockBlob(NameOf(path)).GetBlockListAsync(types, cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, $"{what} '{BlobNames.Printable(path)}'", _timeProvider);
        }
    }

    public async Task StageChunkAsync(string path, string chunkId, Stream content, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(chunkId);
        ArgumentNullException.ThrowIfNull(content);
        var name = RequireWritableName(path);
        await EnsureContainerAsync(cancellationToken);
        var body = await SeekableAsync(content, cancellationToken);
        try
        {
            await BlockBlob(name).StageBlockAsync(chunkId, body, new BlockBlobStageBlockOptions(), cancellationToken);
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, $"stage a block of '{BlobNames.Printable(path)}'", _timeProvider);
        }
        finally
        {
            if (!ReferenceEquals(body, content))
            {
                await body.DisposeAsync();
            }
        }
    }

    public async Task<WriteResult> CommitChunksAsync(string path, IReadOnlyList<string> chunkIds, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunkIds);
        ArgumentNullException.ThrowIfNull(options);
        var name = RequireWritableName(path);
        try
        {
            var commit = new CommitBlockListOptions { Conditions = ConditionsOf(options), Metadata = MetadataOf(options) };
            var info = (await BlockBlob(name).CommitBlockListAsync(chunkIds, commit, cancellationToken)).Value;
            return new WriteResult(VersionOf(info.ETag), info.LastModified);
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, $"commit blocks of '{BlobNames.Printable(path)}'", _timeProvider);
        }
    }

    /// <summary>A read-only SAS URL for the blob. The URL is a secret: never log it.</summary>
    public Task<Uri> GetReadUrlAsync(string path, TimeSpan validFor, CancellationToken cancellationToken)
    {
        if (!CanProvideReadUrls)
        {
            throw new InvalidOperationException($"{DisplayName} cannot sign read URLs (the connection has no account key).");
        }

        var expiresOn = _timeProvider.GetUtcNow() + validFor;
        return Task.FromResult(_container.GetBlobClient(NameOf(path)).GenerateSasUri(BlobSasPermissions.Read, expiresOn));
    }

    public async Task<WriteResult> CopyFromUrlAsync(string path, Uri source, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        var name = RequireWritableName(path);
        await EnsureContainerAsync(cancellationToken);
        try
        {
            var copy = new BlobCopyFromUriOptions { DestinationConditions = ConditionsOf(options), Metadata = MetadataOf(options) };
            var info = (await BlockBlob(name).SyncCopyFromUriAsync(source, copy, cancellationToken)).Value;
            return new WriteResult(VersionOf(info.ETag), info.LastModified);
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, $"copy to '{BlobNames.Printable(path)}'", _timeProvider);
        }
    }

    public async Task StageChunkFromUrlAsync(string path, string chunkId, Uri source, long offset, long length, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(chunkId);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        var name = RequireWritableName(path);
        await EnsureContainerAsync(cancellationToken);
        try
        {
            var stage = new StageBlockFromUriOptions { SourceRange = new HttpRange(offset, length) };
            await BlockBlob(name).StageBlockFromUriAsync(source, chunkId, stage, cancellationToken);
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, $"stage a block of '{BlobNames.Printable(path)}' from a URL", _timeProvider);
        }
    }

    /// <summary>
    /// Creates the container the first time this instance writes (a destination may not exist yet). Concurrent
    /// first writers share one request; a failed attempt is tried again by the next writer.
    /// </summary>
    private Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_containerKnownToExist)
        {
            return Task.CompletedTask;
        }

        lock (_ensureGate)
        {
            if (_ensureContainer is null || _ensureContainer.IsFaulted || _ensureContainer.IsCanceled)
            {
                _ensureContainer = CreateContainerAsync();
            }

            return _ensureContainer.WaitAsync(cancellationToken);
        }
    }

    private async Task CreateContainerAsync()
    {
        try
        {
            await _container.CreateIfNotExistsAsync();
        }
        catch (RequestFailedException e) when (e.Status == 403)
        {
            // A container-scoped SAS may write blobs but not create containers: let the write itself tell.
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, CancellationToken.None))
        {
            throw AzureErrors.Classify(e, $"create container '{_container.Name}'", _timeProvider);
        }

        _containerKnownToExist = true;
    }

    /// <summary>
    /// The SDK sends a request body with a Content-Length, so it needs a seekable stream; a forward-only stream
    /// (e.g. a hashing pipe) is buffered. Callers pass file streams or memory for large bodies.
    /// </summary>
    private static async Task<Stream> SeekableAsync(Stream content, CancellationToken cancellationToken)
    {
        if (content.CanSeek)
        {
            return content;
        }

        var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        buffer.Position = 0;
        return buffer;
    }
}
