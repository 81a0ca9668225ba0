using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Transfer;

internal sealed partial class Transfers
{
    /// <summary>
    /// A renamed or moved source item: moved server-side at the destination when it can, so no content is
    /// transferred; otherwise the content goes to the new path and the old path is deleted.
    /// </summary>
    public async Task<ActionRecord> MoveAsync(ActionRecord a, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        var from = a.FromPath ?? throw new InvalidOperationException($"move to '{a.Path}' without a source path");
        var condition = Force ? WriteOptions.Unconditional : new WriteOptions(IfMatch: a.ExpectedDestETag);
        if (ctx.Destination.GetCapability<IServerSideMove>() is { } mover)
        {
            try
            {
                var moved = await mover.MoveAsync(from, a.Path, condition, cancellationToken).ConfigureAwait(false);
                return Done(a, moved.ETag, a.SourceSha256, 0);
            }
            catch (StorageException ex) when (ex.Kind == StorageErrorKind.PreconditionFailed)
            {
                return a with { Status = ActionStatus.Failed, LastError = $"destination changed: '{from}' was changed at the destination since the last sync; not moved (a forced run moves it anyway)" };
            }
            catch (StorageException ex) when (ex.Kind == StorageErrorKind.NotFound)
            {
                // Nothing to move (deleted at the destination meanwhile): transfer the content instead.
            }
        }

        var upload = await UploadAsync(a with { Kind = ActionKind.Upload, ExpectedDestETag = null, FromPath = null }, checkpoint, cancellationToken).ConfigureAwait(false);
        if (upload.Status != ActionStatus.Done)
        {
            return upload with { Kind = ActionKind.Move, FromPath = from };
        }

        await ctx.Destination.DeleteAsync(from, condition, cancellationToken).ConfigureAwait(false);
        return upload with { Kind = ActionKind.Move, FromPath = from, ExpectedDestETag = a.ExpectedDestETag };
    }

    /// <summary>Opens the source by item id when it has ids (a change feed), else by path.</summary>
    private Task<Stream> OpenSourceAsync(ActionRecord a, long offset, long? length, CancellationToken cancellationToken) =>
        ctx.Source.GetCapability<IChangeSource>() is { } feed && a.SourceItemId is { } id
            ? feed.OpenReadByIdAsync(id, offset, length, cancellationToken)
            : ctx.Source.OpenReadAsync(a.Path, offset, length, cancellationToken);
}
