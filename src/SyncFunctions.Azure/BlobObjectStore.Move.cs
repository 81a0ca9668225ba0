using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>
/// Server-side move inside the container: copy from a short-lived read SAS of the source blob (Copy Blob From
/// URL, or Put Block From URL ranges beyond its size limit) and delete the source, both conditioned on the
/// source's ETag. No body bytes pass through the caller.
/// </summary>
public sealed partial class BlobObjectStore : IServerSideMove
{
    /// <summary>Range of one Put Block From URL when a blob is too large for one copy request.</summary>
    private const long MoveBlockSize = 100L * 1024 * 1024;

    public async Task<WriteResult> MoveAsync(string fromPath, string toPath, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!CanProvideReadUrls)
        {
            throw new StorageException(StorageErrorKind.Permanent, $"{DisplayName} cannot move server-side without an account key");
        }

        var target = RequireWritableName(toPath);
        var source = _container.GetBlobClient(NameOf(fromPath));
        try
        {
            var props = (await source.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            if (options.IfMatch is { } ifMatch && VersionOf(props.ETag) != ifMatch)
            {
                throw new StorageException(StorageErrorKind.PreconditionFailed, $"'{BlobNames.Printable(fromPath)}' changed at the destination", status: 412);
            }

            var url = source.GenerateSasUri(BlobSasPermissions.Read, _timeProvider.GetUtcNow().AddHours(2));
            var sourceCondition = new BlobRequestConditions { IfMatch = props.ETag };
            WriteResult moved;
            if (props.ContentLength <= MaxSingleCopySize)
            {
                var copy = new BlobCopyFromUriOptions { SourceConditions = sourceCondition, Metadata = props.Metadata };
                var info = (await BlockBlob(target).SyncCopyFromUriAsync(url, copy, cancellationToken)).Value;
                moved = new WriteResult(VersionOf(info.ETag), info.LastModified);
            }
            else
            {
                moved = await CopyInBlocksAsync(target, url, props, cancellationToken);
            }

            await source.DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, sourceCondition, cancellationToken);
            return moved;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new StorageException(StorageErrorKind.NotFound, $"'{BlobNames.Printable(fromPath)}' not found at the destination", e, status: 404);
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, $"move '{BlobNames.Printable(fromPath)}' to '{BlobNames.Printable(toPath)}'", _timeProvider);
        }
    }

    private async Task<WriteResult> CopyInBlocksAsync(string target, Uri url, BlobProperties props, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        for (long offset = 0, i = 0; offset < props.ContentLength; offset += MoveBlockSize, i++)
        {
            var id = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes($"move-{i:D6}"));
            var range = new HttpRange(offset, Math.Min(MoveBlockSize, props.ContentLength - offset));
            await BlockBlob(target).StageBlockFromUriAsync(url, id, new StageBlockFromUriOptions { SourceRange = range }, cancellationToken);
            ids.Add(id);
        }

        var info = (await BlockBlob(target).CommitBlockListAsync(ids, new CommitBlockListOptions { Metadata = props.Metadata }, cancellationToken)).Value;
        return new WriteResult(VersionOf(info.ETag), info.LastModified);
    }
}
