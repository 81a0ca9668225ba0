using Azure;
using Azure.Storage.Blobs.Models;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>What unfinished uploads left staged (<see cref="IStagedChunkCleaner"/>), for maintenance.</summary>
public sealed partial class BlobObjectStore
{
    public async Task<StagedChunkState> GetStagedChunkStateAsync(string path, CancellationToken cancellationToken)
    {
        if (await BlockListAsync(path, BlockListTypes.All, "list the blocks of", cancellationToken) is not { } list)
        {
            return new StagedChunkState([], false);
        }

        // A blob committed from no blocks (Put Blob of a small body, or an empty list) still has content: its properties tell.
        var committed = list.CommittedBlocks.Any() || await HasCommittedBlobAsync(path, cancellationToken);
        return new StagedChunkState([.. list.UncommittedBlocks.Select(b => new StagedChunk(b.Name, b.SizeLong))], committed);
    }

    /// <remarks>
    /// A blob with only uncommitted blocks has no committed version to delete. Committing an empty block list with
    /// If-None-Match: * (so a blob committed meanwhile is left alone) discards every uncommitted block, and the empty
    /// blob it creates is deleted with If-Match on its ETag.
    /// </remarks>
    public async Task<bool> DiscardUncommittedAsync(string path, CancellationToken cancellationToken)
    {
        var name = RequireWritableName(path);
        try
        {
            var empty = new CommitBlockListOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } };
            var info = (await BlockBlob(name).CommitBlockListAsync([], empty, cancellationToken)).Value;
            await BlockBlob(name).DeleteAsync(DeleteSnapshotsOption.None, new BlobRequestConditions { IfMatch = info.ETag }, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Committed content exists (or was committed meanwhile): kept as it is.
            return false;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // The container is gone, or the empty blob was deleted meanwhile: nothing is staged any more.
            return true;
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, $"discard the staged blocks of '{BlobNames.Printable(path)}'", _timeProvider);
        }
    }

    private async Task<bool> HasCommittedBlobAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await _container.GetBlobClient(NameOf(path)).GetPropertiesAsync(cancellationToken: cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, $"read the properties of '{BlobNames.Printable(path)}'", _timeProvider);
        }
    }
}
