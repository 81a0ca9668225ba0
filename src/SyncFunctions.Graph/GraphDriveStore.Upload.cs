using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Graph.Drives.Item.Items.Item.CreateUploadSession;
using Microsoft.Graph.Models;
using Microsoft.Kiota.Abstractions.Serialization;
using SyncFunctions.Abstractions;
using GraphUploadSession = Microsoft.Graph.Models.UploadSession;
using UploadSession = SyncFunctions.Abstractions.UploadSession;

namespace SyncFunctions.Graph;

/// <summary>Upload sessions: create, query the next expected byte, upload fragments, cancel.</summary>
public sealed partial class GraphDriveStore
{
    /// <summary>Fragments are multiples of 320 KiB (the documented rule; other sizes can fail at commit).</summary>
    public long FragmentMultiple => 320 * 1024;

    /// <summary>Objects up to 4 MiB go in one PUT (the OneDrive docs' limit for simple uploads; rclone's too).</summary>
    public long MaxSimpleUploadSize => 4 * 1024 * 1024;

    /// <inheritdoc />
    /// <remarks>
    /// POST <c>items/{parent}:/{name}:/createUploadSession</c> with <c>item.@microsoft.graph.conflictBehavior</c> =
    /// <c>fail</c> for <see cref="WriteOptions.IfNoneMatch"/> (a name clash fails with 409, at creation or at the last
    /// fragment: PreconditionFailed), else <c>replace</c>, plus <c>If-Match</c> (412: PreconditionFailed).
    /// Missing parent folders are created first.
    /// </remarks>
    public async Task<UploadSession> CreateUploadSessionAsync(string path, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (parentPath, name) = SplitDrivePath(ToDrivePath(path));
        var parentId = await EnsureFolderAsync(parentPath, cancellationToken).ConfigureAwait(false);
        var driveId = await DriveIdAsync(cancellationToken).ConfigureAwait(false);
        var url = ChildUrl(driveId, parentId, name, "/createUploadSession");
        var body = new CreateUploadSessionPostRequestBody
        {
            Item = new DriveItemUploadableProperties
            {
                AdditionalData = new Dictionary<string, object>
                {
                    ["@microsoft.graph.conflictBehavior"] = options.IfNoneMatch ? "fail" : "replace",
                },
            },
        };
        var what = $"create upload session for '{path}'";
        var session = await CallAsync(
            what,
            () => Client.Drives[driveId].Items[parentId].CreateUploadSession.WithUrl(url).PostAsync(
                body,
                c => AddIfMatch(c.Headers, options.IfMatch),
                cancellationToken),
            cancellationToken).ConfigureAwait(false);
        if (session?.UploadUrl is not { } uploadUrl)
        {
            throw new StorageException(StorageErrorKind.Transient, $"Graph {what}: no uploadUrl in the response.");
        }

        // The lifetime is undocumented; without an expiry in the response assume a short one so a resume re-checks.
        var expires = session.ExpirationDateTime ?? Time.GetUtcNow().AddMinutes(15);
        return new UploadSession(new Uri(uploadUrl), expires);
    }

    /// <inheritdoc />
    /// <remarks>
    /// GET on the upload URL (no Authorization: the URL is pre-authenticated). Null when the session has expired
    /// by its own expiry time, or the service no longer knows it (404, 410) or its embedded token expired (401/403).
    /// </remarks>
    public async Task<long?> GetNextExpectedOffsetAsync(UploadSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.ExpiresAt <= Time.GetUtcNow())
        {
            return null;
        }

        try
        {
            var body = await SendSessionRequestAsync(HttpMethod.Get, session, null, "query upload session", cancellationToken).ConfigureAwait(false);
            var status = body is { Length: > 0 } ? await ParseAsync(body, GraphUploadSession.CreateFromDiscriminatorValue).ConfigureAwait(false) : null;
            return NextExpectedOffset(status?.NextExpectedRanges);
        }
        catch (StorageException e) when (e.Status is 401 or 403 or 404 or 410)
        {
            return null;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// PUT with <c>Content-Range: bytes {offset}-{end}/{total}</c> and no Authorization. 202 (more expected) → null;
    /// 200/201 with the item → its <see cref="WriteResult"/>. A 416 for a fragment the service already holds
    /// entirely (a retry after a lost response) counts as success.
    /// </remarks>
    public async Task<WriteResult?> UploadFragmentAsync(UploadSession session, long offset, long totalSize, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(content);
        var body = content.CanSeek ? content : await BufferAsync(content, cancellationToken).ConfigureAwait(false);
        var length = body.Length - body.Position;
        if (length <= 0 || offset < 0 || offset + length > totalSize)
        {
            throw new StorageException(StorageErrorKind.Permanent, $"Graph upload fragment at {offset} of {length} bytes does not fit a {totalSize}-byte file.");
        }

        var what = string.Create(CultureInfo.InvariantCulture, $"upload fragment {offset}-{offset + length - 1}/{totalSize}");
        try
        {
            return await PutFragmentAsync(session, offset, length, totalSize, body, what, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Status == 416)
        {
            var next = await GetNextExpectedOffsetAsync(session, cancellationToken).ConfigureAwait(false);
            if (next >= offset + length)
            {
                return null;
            }

            throw new StorageException(
                StorageErrorKind.Permanent,
                $"Graph {what}: the session expects byte {next?.ToString(CultureInfo.InvariantCulture) ?? "(unknown)"}; resume from there.",
                e,
                status: 416);
        }
    }

    /// <inheritdoc />
    public async Task CancelUploadSessionAsync(UploadSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        try
        {
            await SendSessionRequestAsync(HttpMethod.Delete, session, null, "cancel upload session", cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Status is 404 or 410)
        {
            // Already gone.
        }
    }

    private async Task<WriteResult?> PutFragmentAsync(UploadSession session, long offset, long length, long total, Stream body, string what, CancellationToken cancellationToken)
    {
        // The caller owns the stream: send exactly `length` bytes from its position and leave it open.
        var content = new StreamContent(new SliceStream(body, 0, length, what, Time, leaveOpen: true));
        content.Headers.ContentLength = length;
        content.Headers.ContentRange = new ContentRangeHeaderValue(offset, offset + length - 1, total);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var response = await SendSessionRequestAsync(HttpMethod.Put, session, content, what, cancellationToken).ConfigureAwait(false);

        // As the SDK's own upload handler decides: a body with nextExpectedRanges means "continue" (202);
        // anything else is the finished item (200/201).
        if (response is null || response.Length == 0 || HasNextExpectedRanges(response))
        {
            return null;
        }

        var item = await ParseAsync(response, DriveItem.CreateFromDiscriminatorValue).ConfigureAwait(false);
        return item?.Id is null
            ? throw new StorageException(StorageErrorKind.Transient, $"Graph {what}: the upload completed without returning the item.")
            : DriveItems.ToWriteResult(item);
    }

    /// <summary>
    /// Sends a request to a pre-authenticated upload URL through the SDK's handler chain without any
    /// Authorization header (the service may answer 401 when one is sent). Returns the body of a 2xx
    /// response; a non-2xx one is parsed as the SDK's ODataError and classified.
    /// </summary>
    private async Task<byte[]?> SendSessionRequestAsync(HttpMethod method, UploadSession session, HttpContent? content, string what, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, session.Url) { Content = content };
        try
        {
            using var response = await _connection.ContentHttp.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return body;
            }

            throw await GraphErrors.ToODataErrorAsync(response, body).ConfigureAwait(false);
        }
        catch (Exception e) when (GraphErrors.ShouldClassify(e, cancellationToken))
        {
            throw GraphErrors.Classify(e, what, Time);
        }
    }

    private static bool HasNextExpectedRanges(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("nextExpectedRanges", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static Task<T?> ParseAsync<T>(byte[] body, ParsableFactory<T> factory)
        where T : IParsable => GraphErrors.ParseAsync(body, factory);

    private static async Task<MemoryStream> BufferAsync(Stream content, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        buffer.Position = 0;
        return buffer;
    }

    /// <summary>The lowest start of "start-end" / "start-" ranges; null when there are none.</summary>
    internal static long? NextExpectedOffset(IEnumerable<string>? ranges)
    {
        long? lowest = null;
        foreach (var range in ranges ?? [])
        {
            var dash = range.IndexOf('-', StringComparison.Ordinal);
            var start = dash < 0 ? range : range[..dash];
            if (long.TryParse(start, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && (lowest is null || value < lowest))
            {
                lowest = value;
            }
        }

        return lowest;
    }
}
