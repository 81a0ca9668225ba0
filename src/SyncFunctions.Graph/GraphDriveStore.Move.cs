using Microsoft.Graph.Models;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph;

/// <summary>Server-side rename / move (PATCH name + parentReference).</summary>
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
}
