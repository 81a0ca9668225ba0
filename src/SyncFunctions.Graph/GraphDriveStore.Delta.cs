using Microsoft.Graph.Drives.Item.Items.Item.Delta;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph;

/// <summary>The change source: driveItem delta on the root folder.</summary>
public sealed partial class GraphDriveStore
{
    /// <summary>
    /// Deleted items reported as deletes (also those that left the caller's view), and items below folders
    /// the caller cannot read still enumerated. Sent on every page: links do not carry headers.
    /// </summary>
    private const string DeltaPrefer = "deltashowremovedasdeleted, deltatraversepermissiongaps";

    /// <inheritdoc />
    /// <remarks>
    /// A null <paramref name="link"/> starts a full enumeration: <c>GET drives/{d}/items/root/delta()</c> for the drive
    /// root, <c>items/{folder-id}/delta()</c> for a folder (consumer OneDrive; OneDrive for Business allows delta
    /// on the root only; on its 400 the drive root's delta is read instead). A next or delta link is followed exactly as the service gave it. A 410 throws
    /// <see cref="StorageErrorKind.ResyncRequired"/>: the caller enumerates again from a null link.
    /// </remarks>
    public async Task<ChangePage> ReadChangesAsync(string? link, CancellationToken cancellationToken)
    {
        var driveId = await DriveIdAsync(cancellationToken).ConfigureAwait(false);
        var rootFolderId = await GetRootItemIdAsync(cancellationToken).ConfigureAwait(false);
        DeltaGetResponse? page;
        if (link is not null)
        {
            page = await CallAsync(
                "delta",
                () => Client.Drives[driveId].Items["root"].Delta.WithUrl(link).GetAsDeltaGetResponseAsync(c => c.Headers.Add("Prefer", DeltaPrefer), cancellationToken),
                cancellationToken).ConfigureAwait(false);
        }
        else if (_driveFolder.Length == 0 || _deltaOnDriveRoot)
        {
            page = await StartDeltaAsync(driveId, "root", cancellationToken).ConfigureAwait(false);
        }
        else
        {
            try
            {
                page = await StartDeltaAsync(driveId, rootFolderId, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageException e) when (e.Status == 400)
            {
                // OneDrive for Business serves delta on the drive root only ("notSupported"). The whole drive's
                // changes then arrive; items outside the root folder have no path below it, and the engine skips them.
                _deltaOnDriveRoot = true;
                page = await StartDeltaAsync(driveId, "root", cancellationToken).ConfigureAwait(false);
            }
        }

        if (page is null)
        {
            throw new StorageException(StorageErrorKind.Transient, "Graph delta returned no page.");
        }

        return ToChangePage(page, rootFolderId);
    }

    private Task<DeltaGetResponse?> StartDeltaAsync(string driveId, string folderKey, CancellationToken cancellationToken) =>
        CallAsync(
            "delta (full enumeration)",
            () => Client.Drives[driveId].Items[folderKey].Delta.GetAsDeltaGetResponseAsync(
                c =>
                {
                    c.Headers.Add("Prefer", DeltaPrefer);
                    c.QueryParameters.Select = DriveItems.SelectFields;
                    c.QueryParameters.Top = _options.DeltaPageSize;
                },
                cancellationToken),
            cancellationToken);

    private static ChangePage ToChangePage(DeltaGetResponse page, string rootFolderId)
    {
        var items = (page.Value ?? []).Select(item => DriveItems.ToChangeItem(item, rootFolderId)).ToList();
        if (page.OdataNextLink is null && page.OdataDeltaLink is null)
        {
            throw new StorageException(StorageErrorKind.Transient, "Graph delta page has neither a nextLink nor a deltaLink.");
        }

        return new ChangePage(items, page.OdataNextLink, page.OdataNextLink is null ? page.OdataDeltaLink : null);
    }
}
