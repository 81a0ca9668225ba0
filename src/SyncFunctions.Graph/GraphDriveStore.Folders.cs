using Microsoft.Graph.Models;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph;

/// <summary>Folder ids: the root folder, and parents created as needed for writes and moves.</summary>
public sealed partial class GraphDriveStore
{
    /// <inheritdoc />
    public async Task<string> GetRootItemIdAsync(CancellationToken cancellationToken)
    {
        if (_rootFolderId is { } known)
        {
            return known;
        }

        var root = await TryGetByDrivePathAsync(_driveFolder, "GET root folder", cancellationToken).ConfigureAwait(false);
        if (root is null || !DriveItems.IsContainer(root))
        {
            throw new StorageException(StorageErrorKind.NotFound, $"The root folder of {DisplayName} does not exist.");
        }

        _rootFolderId = root.Id;
        return root.Id!;
    }

    /// <summary>
    /// The id of the folder at a drive-form path from the drive root, creating it and its missing parents.
    /// Ids are cached: a stale one (folder deleted or moved elsewhere) is dropped by <see cref="ForgetFolder"/>.
    /// </summary>
    private async Task<string> EnsureFolderAsync(string drivePath, CancellationToken cancellationToken)
    {
        if (_folderIds.TryGetValue(drivePath, out var cached))
        {
            return cached;
        }

        var what = $"create folder '{GraphNameMapping.FromDrive(drivePath)}'";
        var existing = await TryGetByDrivePathAsync(drivePath, what, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            if (drivePath.Length == 0)
            {
                throw new StorageException(StorageErrorKind.NotFound, $"The root of drive {Endpoint.Drive} does not exist.");
            }

            var (parentPath, name) = SplitDrivePath(drivePath);
            var parentId = await EnsureFolderAsync(parentPath, cancellationToken).ConfigureAwait(false);
            existing = await CreateFolderAsync(parentId, name, drivePath, what, cancellationToken).ConfigureAwait(false);
        }

        if (!DriveItems.IsContainer(existing))
        {
            throw new StorageException(StorageErrorKind.PreconditionFailed, $"Graph {what}: a file is in the way at that path.");
        }

        _folderIds[drivePath] = existing.Id!;
        return existing.Id!;
    }

    private async Task<DriveItem> CreateFolderAsync(string parentId, string name, string drivePath, string what, CancellationToken cancellationToken)
    {
        var driveId = await DriveIdAsync(cancellationToken).ConfigureAwait(false);
        var folder = new DriveItem
        {
            Name = name,
            Folder = new Folder(),
            AdditionalData = new Dictionary<string, object> { ["@microsoft.graph.conflictBehavior"] = "fail" },
        };
        try
        {
            return await CallAsync(
                what,
                () => Client.Drives[driveId].Items[parentId].Children.PostAsync(folder, cancellationToken: cancellationToken),
                cancellationToken).ConfigureAwait(false)
                ?? throw new StorageException(StorageErrorKind.Permanent, $"Graph {what}: no item in the response.");
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.PreconditionFailed)
        {
            // 409 nameAlreadyExists: another writer created it first; use theirs.
            return await TryGetByDrivePathAsync(drivePath, what, cancellationToken).ConfigureAwait(false)
                ?? throw new StorageException(StorageErrorKind.Transient, $"Graph {what}: the folder exists and vanished again.", e);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            // The cached parent id is stale (deleted or moved by someone else): forget it; a retry creates it anew.
            ForgetFolder(SplitDrivePath(drivePath).Parent);
            throw;
        }
    }

    /// <summary>Drops a cached folder id and those of its descendants.</summary>
    private void ForgetFolder(string drivePath)
    {
        foreach (var key in _folderIds.Keys)
        {
            if (key == drivePath || drivePath.Length == 0 || key.StartsWith(drivePath + "/", StringComparison.Ordinal))
            {
                _folderIds.TryRemove(key, out _);
            }
        }
    }
}
