using System.Runtime.CompilerServices;
using Microsoft.Graph.Models;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph;

/// <summary>Streamed recursive listing in canonical (ordinal full-path) order.</summary>
public sealed partial class GraphDriveStore
{
    /// <inheritdoc />
    /// <remarks>
    /// Each folder's children are read completely (all pages), sorted by their original name with "/" appended
    /// to folders, and visited in that order: ordinal order of the full relative paths, while holding only
    /// one folder's children per level in memory.
    /// </remarks>
    public async IAsyncEnumerable<ListingEntry> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var root = await TryGetByDrivePathAsync(_driveFolder, "list root folder", cancellationToken).ConfigureAwait(false);
        if (root is null || !DriveItems.IsContainer(root))
        {
            throw new StorageException(StorageErrorKind.NotFound, $"The root folder of {DisplayName} does not exist.");
        }

        await foreach (var entry in ListFolderAsync(root.Id!, "", cancellationToken).ConfigureAwait(false))
        {
            yield return entry;
        }
    }

    private async IAsyncEnumerable<ListingEntry> ListFolderAsync(string folderId, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var children = await ReadChildrenAsync(folderId, prefix, cancellationToken).ConfigureAwait(false);
        foreach (var (_, name, item) in children)
        {
            var path = prefix + name;
            if (item.Folder is not null)
            {
                await foreach (var entry in ListFolderAsync(item.Id!, path + "/", cancellationToken).ConfigureAwait(false))
                {
                    yield return entry;
                }
            }
            else if (item.File is null)
            {
                yield return ListingEntry.Skip(path, "not a file (e.g. a OneNote notebook package): it cannot be downloaded as one object");
            }
            else if (RelativePath.Validate(path) is { } problem)
            {
                yield return ListingEntry.Skip(path, $"the drive name is not a valid path here: {problem}");
            }
            else
            {
                yield return ListingEntry.Of(DriveItems.ToObjectInfo(path, item));
            }
        }
    }

    /// <summary>All children of a folder (every page), with original names, in listing order.</summary>
    private async Task<List<(string Key, string Name, DriveItem Item)>> ReadChildrenAsync(string folderId, string prefix, CancellationToken cancellationToken)
    {
        var driveId = await DriveIdAsync(cancellationToken).ConfigureAwait(false);
        var what = $"list children of '{prefix}'";
        var builder = Client.Drives[driveId].Items[folderId].Children;
        var page = await CallAsync(
            what,
            () => builder.GetAsync(
                c =>
                {
                    c.QueryParameters.Top = _options.ListPageSize;
                    c.QueryParameters.Select = DriveItems.SelectFields;
                },
                cancellationToken),
            cancellationToken).ConfigureAwait(false);
        var children = new List<(string Key, string Name, DriveItem Item)>();
        while (page is not null)
        {
            foreach (var item in page.Value ?? [])
            {
                if (item.Name is { } driveName && item.Deleted is null)
                {
                    // A folder sorts as "name/" so that its descendants fall exactly where their full paths belong.
                    var name = GraphNameMapping.FromDriveName(driveName);
                    children.Add((item.Folder is null ? name : name + "/", name, item));
                }
            }

            if (page.OdataNextLink is not { } next)
            {
                break;
            }

            page = await CallAsync(what, () => builder.WithUrl(next).GetAsync(cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        children.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return children;
    }
}
