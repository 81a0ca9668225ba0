using System.Globalization;
using Microsoft.Graph.Drives.Item.Items.Item.Content;
using System.Net;
using Microsoft.Kiota.Abstractions;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph;

/// <summary>Downloads through /content (302 to a pre-authenticated URL) with Range.</summary>
public sealed partial class GraphDriveStore
{
    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string path, long offset, long? length, CancellationToken cancellationToken)
    {
        var drivePath = ToDrivePath(path);
        var driveId = await DriveIdAsync(cancellationToken).ConfigureAwait(false);
        var url = ItemUrl(driveId, drivePath, "/content");
        return await DownloadAsync(
            () => Client.Drives[driveId].Items["root"].Content.WithUrl(url),
            $"download '{path}'",
            offset,
            length,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadByIdAsync(string itemId, long offset, long? length, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(itemId);
        var driveId = await DriveIdAsync(cancellationToken).ConfigureAwait(false);
        return await DownloadAsync(
            () => Client.Drives[driveId].Items[itemId].Content,
            $"download item {itemId}",
            offset,
            length,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// GET /content with a Range header; the SDK's RedirectHandler follows the 302 to the download host and
    /// forwards the Range. A 401/403/404 (an expired or outdated download URL) fetches /content once more,
    /// which hands out a fresh URL. A server that ignores Range (200) is handled by skipping to the offset.
    /// A new request builder per attempt: the SDK's builders are not reusable for a second request.
    /// </summary>
    private async Task<Stream> DownloadAsync(Func<ContentRequestBuilder> content, string what, long offset, long? length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "The length must not be negative.");
        }

        if (length == 0)
        {
            return new MemoryStream([], writable: false);
        }

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await DownloadOnceAsync(content(), what, offset, length, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageException e) when (attempt == 0 && e.Status is 401 or 403 or 404)
            {
                // The pre-authenticated URL expired (or pointed at a replaced version): /content issues a new one.
            }
            catch (StorageException e) when (e.Status == 416)
            {
                // The offset is at or past the end: nothing left to read.
                return new MemoryStream([], writable: false);
            }
        }
    }

    private async Task<Stream> DownloadOnceAsync(ContentRequestBuilder content, string what, long offset, long? length, CancellationToken cancellationToken)
    {
        // The raw response, so the status tells 206 from 200 and errors without a JSON body (416 from the
        // download host) are still classified by status.
        var native = new NativeResponseHandler();
        var range = RangeHeader(offset, length);
        await CallAsync(
            what,
            () => content.GetAsync(
                c =>
                {
                    c.Options.Add(new ResponseHandlerOption { ResponseHandler = native });
                    if (range is not null)
                    {
                        c.Headers.Add("Range", range);
                    }
                },
                cancellationToken),
            cancellationToken).ConfigureAwait(false);
        if (native.Value is not HttpResponseMessage response)
        {
            throw new StorageException(StorageErrorKind.Transient, $"Graph {what}: no response.");
        }

        try
        {
            if (!response.IsSuccessStatusCode)
            {
                var error = await GraphErrors.ToODataErrorAsync(response, cancellationToken).ConfigureAwait(false);
                throw GraphErrors.Classify(error, what, Time);
            }

            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);

            // 206 is the requested range; a 200 to a ranged request is the whole file, so skip to the offset.
            var skip = range is null || response.StatusCode == HttpStatusCode.PartialContent ? 0 : offset;
            return new SliceStream(new ResponseStream(body, response), skip, length, what, Time);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static string? RangeHeader(long offset, long? length) => (offset, length) switch
    {
        (0, null) => null,
        (_, null) => string.Create(CultureInfo.InvariantCulture, $"bytes={offset}-"),
        _ => string.Create(CultureInfo.InvariantCulture, $"bytes={offset}-{offset + length.Value - 1}"),
    };
}
