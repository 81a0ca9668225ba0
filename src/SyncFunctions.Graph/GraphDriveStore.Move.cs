using Microsoft.Graph.Models;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph;

/// <summary>Server-side rename / move of a file or of a whole folder (PATCH name + parentReference).</summary>
public sealed partial class GraphDriveStore
{
    /// <inheritdoc />
    /// <remarks>
    /// PATCH on the source item with the new name and the target parent's id (target folders are created as
    /// needed), and <c>If-Match</c> = <see cref="WriteOptions.IfMatch"/> (the source's version: 412 →
    /// PreconditionFailed). An existing object at the target fails with 409 (PreconditionFailed): a move never
    /// overwrites. The moved item keeps its id and cTag, so the returned version equals the source's.
    /// </remarks>
    public async Task<WriteResult> MoveAsync(string fromPath, string toPath, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var fromDrive = ToDrivePath(fromPath);
        var (targetParent, targetName) = SplitDrivePath(ToDrivePath(toPath));
        var what = $"move '{fromPath}' to '{toPath}'";
        var parentId = await EnsureFolderAsync(targetParent, cancellationToken).ConfigureAwait(false);
        var driveId = await DriveIdAsync(cancellationToken).ConfigureAwait(false);
        var url = ItemUrl(driveId, fromDrive, "");
        var patch = new DriveItem
        {
            Name = targetName,
            ParentReference = new ItemReference { Id = parentId },
        };
        var moved = await CallAsync(
            what,
            () => Client.Drives[driveId].Items["root"].WithUrl(url).PatchAsync(patch, c => AddIfMatch(c.Headers, options.IfMatch), cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return DriveItems.ToWriteResult(moved ?? throw new StorageException(StorageErrorKind.Transient, $"Graph {what}: no item in the response."));
    }

    /// <inheritdoc />
    /// <remarks>
    /// A GET of the folder by path (its item id, and that it is a folder: PreconditionFailed when a file is there),
    /// the target's parent folder (cached, created as needed), then one PATCH of the folder item with the new name
    /// and parent and <c>If-Match</c> = the eTag just read, so a folder renamed by someone else in between is not
    /// moved (412: PreconditionFailed). The service moves the subtree with it; the items below keep their ids and
    /// cTags. A name taken at the target fails with 409 (PreconditionFailed): a move never merges folders. Cached
    /// folder ids at and below both paths are dropped.
    /// </remarks>
    public async Task MoveFolderAsync(string fromFolder, string toFolder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(fromFolder);
        ArgumentException.ThrowIfNullOrEmpty(toFolder);
        var fromDrive = ToDrivePath(fromFolder);
        var toDrive = ToDrivePath(toFolder);
        var (targetParent, targetName) = SplitDrivePath(toDrive);
        var what = $"move folder '{fromFolder}' to '{toFolder}'";
        var folder = await TryGetByDrivePathAsync(fromDrive, what, cancellationToken).ConfigureAwait(false)
            ?? throw new StorageException(StorageErrorKind.NotFound, $"Graph {what}: no folder at '{fromFolder}'.", status: 404);
        if (!DriveItems.IsContainer(folder))
        {
            throw new StorageException(StorageErrorKind.PreconditionFailed, $"Graph {what}: a file is at that path, not a folder.");
        }

        var parentId = await EnsureFolderAsync(targetParent, cancellationToken).ConfigureAwait(false);
        var driveId = await DriveIdAsync(cancellationToken).ConfigureAwait(false);
        var patch = new DriveItem
        {
            Name = targetName,
            ParentReference = new ItemReference { Id = parentId },
        };
        try
        {
            await CallAsync(
                what,
                () => Client.Drives[driveId].Items[folder.Id].PatchAsync(patch, c => AddIfMatch(c.Headers, folder.ETag), cancellationToken),
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Whatever happened, ids cached under either path may be stale now.
            ForgetFolder(fromDrive);
            ForgetFolder(toDrive);
        }
    }
}
