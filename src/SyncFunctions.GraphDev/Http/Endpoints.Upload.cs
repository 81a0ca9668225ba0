using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SyncFunctions.GraphDev.Model;

namespace SyncFunctions.GraphDev.Http;

/// <summary>
/// Upload sessions: create (by parent+name, by path, or for an existing item), PUT fragments with
/// Content-Range, GET status, DELETE, and POST to commit a deferCommit session.
/// </summary>
internal sealed partial class GraphApi
{
    /// <summary>Fragments of a split upload must be multiples of this (320 KiB).</summary>
    internal const int FragmentMultiple = 320 * 1024;

    /// <summary>Largest fragment Graph accepts (60 MiB).</summary>
    internal const int MaxFragment = 60 * 1024 * 1024;

    private async Task CreateUploadSessionAsync(HttpContext context, DrivePath target)
    {
        var baseId = BaseId(target);
        using var body = await ReadJsonAsync(context).ConfigureAwait(false);
        var item = body?.RootElement.TryGetProperty("item", out var i) == true ? i : default;
        var conflict = ParseConflict(
            StringProperty(item, "@microsoft.graph.conflictBehavior") ?? context.Request.Query["@microsoft.graph.conflictBehavior"].FirstOrDefault(),
            ConflictBehavior.Fail);
        var request = new PutRequest(conflict, Header(context, "If-Match"), Header(context, "If-None-Match"), ReadFileTimes(item));
        var relativePath = target.RelativePath is { Length: > 0 } p ? p : null;
        if (relativePath is not null)
        {
            var name = relativePath.Split('/')[^1];
            if (StringProperty(item, "name") is { } bodyName && bodyName != name)
            {
                throw GraphDevException.Invalid("item.name must match the file name in the path.");
            }

            _drive.CheckPutTarget(baseId, relativePath, request);
        }
        else
        {
            var existing = _drive.ViewById(baseId, withPath: false).State;
            if (existing.IsFolder)
            {
                throw GraphDevException.Invalid("An upload session needs a file, or a parent and a file name.");
            }

            if ((request.IfMatch is { Length: > 0 } m && !GraphDevDrive.TagMatches(existing, m)) ||
                (request.IfNoneMatch is { Length: > 0 } n && GraphDevDrive.TagMatches(existing, n)))
            {
                throw GraphDevException.Modified();
            }
        }

        var session = new UploadSession(UploadSessionStore.NewId(), baseId, relativePath, request)
        {
            DeclaredSize = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("fileSize", out var size) && size.TryGetInt64(out var s) ? s : null,
            DeferCommit = body?.RootElement.TryGetProperty("deferCommit", out var d) == true && d.ValueKind == JsonValueKind.True,
            Expires = Time.GetUtcNow() + _options.UploadSessionLifetime,
        };
        _uploads.Add(session);
        var uploadUrl = $"{Urls.ContentBase}/_upload/{session.Id}";
        await JsonShapes.WriteJsonAsync(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("@odata.context", $"{Urls.ApiBase}/$metadata#microsoft.graph.uploadSession");
            w.WriteString("uploadUrl", uploadUrl);
            w.WriteString("expirationDateTime", JsonShapes.Date(session.Expires));
            w.WriteStartArray("nextExpectedRanges");
            w.WriteStringValue("0-");
            w.WriteEndArray();
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task UploadSessionAsync(HttpContext context, string path)
    {
        var session = _uploads.Get(path["/_upload/".Length..].Trim('/'));
        await session.Gate.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            session = _uploads.Get(session.Id); // it may have been cancelled or committed while we waited
            switch (context.Request.Method.ToUpperInvariant())
            {
                case "GET":
                    await WriteSessionStatusAsync(context, 200, session).ConfigureAwait(false);
                    break;
                case "DELETE":
                    _uploads.Remove(session.Id);
                    context.Response.StatusCode = 204;
                    break;
                case "PUT":
                    await ReceiveFragmentAsync(context, session).ConfigureAwait(false);
                    break;
                case "POST" when session.DeferCommit && session.Total == session.Received:
                    await CommitSessionAsync(context, session).ConfigureAwait(false);
                    break;
                default:
                    throw new GraphDevException(405, "notSupported", "Use PUT, GET or DELETE on an upload URL.");
            }
        }
        finally
        {
            session.Gate.Release();
        }
    }

    private async Task ReceiveFragmentAsync(HttpContext context, UploadSession session)
    {
        // Read the whole fragment first: bytes of an interrupted request are discarded, as documented.
        var fragment = await ReadFragmentAsync(context).ConfigureAwait(false);
        if (!TryParseContentRange(Header(context, "Content-Range"), out var first, out var last, out var total))
        {
            throw GraphDevException.Invalid("Content-Range 'bytes {first}-{last}/{total}' is required.", "invalidRange");
        }

        if (last - first + 1 != fragment.Length)
        {
            throw GraphDevException.Invalid("The fragment length does not match Content-Range.", "fragmentLengthMismatch");
        }

        if (fragment.Length > MaxFragment)
        {
            throw new GraphDevException(413, "requestTooLarge", "Fragments must be smaller than 60 MiB.", "maxFragmentLengthExceeded");
        }

        if ((session.Total is { } known && known != total) || (session.DeclaredSize is { } declared && declared != total))
        {
            throw GraphDevException.Invalid("The total length must be the same in every fragment.", "fragmentLengthMismatch");
        }

        if (first != session.Received)
        {
            throw first < session.Received
                ? new GraphDevException(416, "invalidRange", "Uploaded fragment overlaps with existing data.", "fragmentOverlap")
                : new GraphDevException(416, "invalidRange", "Uploaded fragment is out of order.", "fragmentOutOfOrder");
        }

        if (last + 1 < total && _options.EnforceFragmentMultiple && fragment.Length % FragmentMultiple != 0)
        {
            throw GraphDevException.Invalid($"Fragments other than the last must be a multiple of {FragmentMultiple} bytes.", "fragmentLengthMismatch");
        }

        session.Staging ??= _drive.ContentStore.BeginStaging();
        session.Staging.Append(fragment);
        session.Total = total;
        session.Expires = Time.GetUtcNow() + _options.UploadSessionLifetime;
        if (session.Received < total || session.DeferCommit)
        {
            await WriteSessionStatusAsync(context, 202, session).ConfigureAwait(false);
            return;
        }

        await CommitSessionAsync(context, session).ConfigureAwait(false);
    }

    /// <summary>The last byte arrived: the file appears (201 new, 200 replaced); the session ends either way.</summary>
    private async Task CommitSessionAsync(HttpContext context, UploadSession session)
    {
        var staging = session.Staging ?? _drive.ContentStore.BeginStaging();
        session.Staging = null;
        _uploads.Remove(session.Id);
        ContentBlob blob;
        using (staging)
        {
            blob = staging.Seal();
        }

        string itemId;
        var status = 200;
        try
        {
            if (session.RelativePath is { } relativePath)
            {
                var (item, created) = _drive.PutFileAtPath(session.BaseId, relativePath, blob, session.Request);
                (itemId, status) = (item.Id, created ? 201 : 200);
            }
            else
            {
                itemId = _drive.ReplaceContent(session.BaseId, blob, session.Request).Id;
            }
        }
        catch
        {
            ContentStore.Discard(blob);
            throw;
        }

        await WriteItemAsync(context, status, itemId).ConfigureAwait(false);
    }

    /// <summary>Status (202 while uploading, 200 on GET): always with nextExpectedRanges, which the SDK needs.</summary>
    private static Task WriteSessionStatusAsync(HttpContext context, int status, UploadSession session) =>
        JsonShapes.WriteJsonAsync(context, status, w =>
        {
            w.WriteStartObject();
            w.WriteString("expirationDateTime", JsonShapes.Date(session.Expires));
            w.WriteStartArray("nextExpectedRanges");
            if (session.Total is not { } total || session.Received < total)
            {
                w.WriteStringValue($"{session.Received}-");
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });

    private static async Task<byte[]> ReadFragmentAsync(HttpContext context)
    {
        var declared = context.Request.ContentLength;
        if (declared > MaxFragment)
        {
            throw new GraphDevException(413, "requestTooLarge", "Fragments must be smaller than 60 MiB.", "maxFragmentLengthExceeded");
        }

        using var buffer = new MemoryStream(declared is { } n ? (int)n : 0);
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static bool TryParseContentRange(string? header, out long first, out long last, out long total)
    {
        first = last = total = 0;
        if (header is null || !header.StartsWith("bytes ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var spec = header[6..].Trim();
        var slash = spec.IndexOf('/', StringComparison.Ordinal);
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        return slash > 0 && dash > 0 && dash < slash &&
               long.TryParse(spec[..dash], CultureInfo.InvariantCulture, out first) &&
               long.TryParse(spec[(dash + 1)..slash], CultureInfo.InvariantCulture, out last) &&
               long.TryParse(spec[(slash + 1)..], CultureInfo.InvariantCulture, out total) &&
               first >= 0 && last >= first && last < total;
    }
}
