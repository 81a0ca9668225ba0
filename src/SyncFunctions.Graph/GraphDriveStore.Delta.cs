using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
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

    /// <summary>The error mapping of the SDK's generated delta call: a failure status throws ODataError like every SDK call.</summary>
    private static readonly Dictionary<string, ParsableFactory<IParsable>> DeltaErrorMapping = new(StringComparer.Ordinal)
    {
        ["XXX"] = ODataError.CreateFromDiscriminatorValue,
    };

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
        DeltaPage? page;
        if (link is not null)
        {
            page = await ReadDeltaPageAsync(
                "delta",
                () => Client.Drives[driveId].Items["root"].Delta.WithUrl(link).ToGetRequestInformation(c => c.Headers.Add("Prefer", DeltaPrefer)),
                rootFolderId,
                cancellationToken).ConfigureAwait(false);
        }
        else if (_driveFolder.Length == 0 || _deltaOnDriveRoot)
        {
            page = await StartDeltaAsync(driveId, "root", rootFolderId, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            try
            {
                page = await StartDeltaAsync(driveId, rootFolderId, rootFolderId, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageException e) when (e.Status == 400)
            {
                // OneDrive for Business serves delta on the drive root only ("notSupported"). The whole drive's
                // changes then arrive; items outside the root folder have no path below it, and the engine skips them.
                _deltaOnDriveRoot = true;
                page = await StartDeltaAsync(driveId, "root", rootFolderId, cancellationToken).ConfigureAwait(false);
            }
        }

        if (page is null)
        {
            throw new StorageException(StorageErrorKind.Transient, "Graph delta returned no page.");
        }

        return ToChangePage(page);
    }

    private Task<DeltaPage?> StartDeltaAsync(string driveId, string folderKey, string rootFolderId, CancellationToken cancellationToken) =>
        ReadDeltaPageAsync(
            "delta (full enumeration)",
            () => Client.Drives[driveId].Items[folderKey].Delta.ToGetRequestInformation(c =>
            {
                c.Headers.Add("Prefer", DeltaPrefer);
                c.QueryParameters.Select = DriveItems.SelectFields;
                c.QueryParameters.Top = _options.DeltaPageSize;
            }),
            rootFolderId,
            cancellationToken);

    /// <summary>
    /// Sends a delta request built by the SDK's request builder through the SDK's adapter (authentication,
    /// middleware, URL handling; a failure status throws the SDK's ODataError, classified like every call) and
    /// reads the body as it streams in, straight into change items (no SDK model: see <see cref="DeltaPageReader"/>).
    /// </summary>
    private Task<DeltaPage?> ReadDeltaPageAsync(string what, Func<RequestInformation> request, string rootFolderId, CancellationToken cancellationToken) =>
        CallAsync(
            what,
            async () =>
            {
                // HttpClient's timeout ends when the headers arrive for a streamed body (it covered the whole body the
                // SDK model buffered), so the page as a whole keeps that limit here; expiry before the headers is
                // Unreachable (no response), while reading the body Transient.
                using var limit = new CancellationTokenSource(_connection.NetworkTimeout, Time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
                var body = await Client.RequestAdapter.SendPrimitiveAsync<Stream>(request(), DeltaErrorMapping, linked.Token).ConfigureAwait(false);
                if (body is null)
                {
                    return null;
                }

                await using (body.ConfigureAwait(false))
                {
                    return await DeltaPageReader.ReadAsync(body, rootFolderId, linked.Token).ConfigureAwait(false);
                }
            },
            cancellationToken);

    private static ChangePage ToChangePage(DeltaPage page)
    {
        if (page.NextLink is null && page.DeltaLink is null)
        {
            throw new StorageException(StorageErrorKind.Transient, "Graph delta page has neither a nextLink nor a deltaLink.");
        }

        return new ChangePage(page.Items, page.NextLink, page.NextLink is null ? page.DeltaLink : null);
    }
}
