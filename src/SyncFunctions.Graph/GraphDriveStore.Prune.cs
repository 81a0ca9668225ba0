using Microsoft.Graph.Models;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph;

/// <summary>Removes folders that deletes and moves left empty (drive folders are items and stay behind).</summary>
public sealed partial class GraphDriveStore
{
    private enum PruneOutcome
    {
        Removed,
        Gone,
        Kept,
    }

    /// <inheritdoc />
    /// <remarks>
    /// Per folder: GET the folder by path (its id, tags and <c>folder.childCount</c>; a count above zero keeps it
    /// without another request), GET its children with <c>$top=1&amp;$select=id</c>, and when there are none
    /// DELETE it by id with <c>If-Match</c>: its cTag when the service gives folders one (OneDrive personal: it
    /// changes when anything below changes), else its eTag. A DELETE of a folder is recursive, so that condition is
    /// the guard against removing content: 412 keeps the folder, 404 means it is gone. The eTag of a folder does
    /// not change when a child is added (OneDrive/onedrive-api-docs#161), so on OneDrive for Business a file
    /// written into the folder between the children check and the DELETE by another client would go with it (to
    /// the recycle bin); the engine keeps its own writes away from folders it prunes. Nothing is retried here.
    /// </remarks>
    public async Task PruneEmptyFoldersAsync(IReadOnlyCollection<string> folders, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(folders);

        // Drive names are case-insensitive: a kept "A/b" keeps "a" too.
        var kept = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var ordered = folders
            .Where(f => !string.IsNullOrEmpty(f))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(f => f.Count(c => c == '/'))
            .ThenBy(f => f, StringComparer.Ordinal);
        foreach (var folder in ordered)
        {
            if (kept.Contains(folder))
            {
                continue;
            }

            if (await PruneOneAsync(folder, cancellationToken).ConfigureAwait(false) == PruneOutcome.Kept)
            {
                for (var parent = RelativePath.Parent(folder); parent.Length > 0; parent = RelativePath.Parent(parent))
                {
                    kept.Add(parent);
                }
            }
        }
    }

    private async Task<PruneOutcome> PruneOneAsync(string folder, CancellationToken cancellationToken)
    {
        string drivePath;
        try
        {
            drivePath = ToDrivePath(folder);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.InvalidName)
        {
            return PruneOutcome.Gone; // the drive cannot hold such a folder, so there is none
        }

        var item = await TryGetByDrivePathAsync(drivePath, $"GET folder '{folder}' to prune", cancellationToken).ConfigureAwait(false);
        if (item is null)
        {
            ForgetFolder(drivePath);
            return PruneOutcome.Gone;
        }

        // Only plain folders: never the root, a file or a package (e.g. a OneNote notebook) standing at the path.
        if (item.Folder is null || item.Root is not null || item.Package is not null || item.Id is null || item.Id == _rootFolderId ||
            item.Folder.ChildCount > 0 || (item.CTag ?? item.ETag) is not { } tag)
        {
            return PruneOutcome.Kept;
        }

        var outcome = await HasChildAsync(item.Id, folder, cancellationToken).ConfigureAwait(false) switch
        {
            null => PruneOutcome.Gone,
            true => PruneOutcome.Kept,
            false => await DeleteFolderAsync(item.Id, tag, folder, cancellationToken).ConfigureAwait(false),
        };
        if (outcome != PruneOutcome.Kept)
        {
            ForgetFolder(drivePath);
        }

        return outcome;
    }

    /// <summary>Whether the folder has at least one child; null when the folder is gone.</summary>
    private async Task<bool?> HasChildAsync(string folderId, string folder, CancellationToken cancellationToken)
    {
        var driveId = await DriveIdAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var page = await CallAsync(
                $"list children of '{folder}' to prune it",
                () => Client.Drives[driveId].Items[folderId].Children.GetAsync(
                    c =>
                    {
                        c.QueryParameters.Top = 1;
                        c.QueryParameters.Select = ["id"];
                    },
                    cancellationToken),
                cancellationToken).ConfigureAwait(false);
            return page?.Value is { Count: > 0 } || page?.OdataNextLink is not null;
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            return null;
        }
    }

    private async Task<PruneOutcome> DeleteFolderAsync(string folderId, string tag, string folder, CancellationToken cancellationToken)
    {
        var driveId = await DriveIdAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CallAsync(
                $"DELETE empty folder '{folder}'",
                () => Client.Drives[driveId].Items[folderId].DeleteAsync(c => AddIfMatch(c.Headers, tag), cancellationToken),
                cancellationToken).ConfigureAwait(false);
            return PruneOutcome.Removed;
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            return PruneOutcome.Gone;
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.PreconditionFailed)
        {
            // Changed since it was found empty (412; a 409 would be a lock or conflict): not ours to remove.
            return PruneOutcome.Kept;
        }
    }
}
