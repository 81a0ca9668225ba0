using System.Globalization;
using Microsoft.AspNetCore.Http;
using SyncFunctions.GraphDev.Model;

namespace SyncFunctions.GraphDev.Http;

/// <summary>/content (302 to a pre-authenticated URL), the download URL itself (Range), simple upload.</summary>
internal sealed partial class GraphApi
{
    private Task ContentRedirectAsync(HttpContext context, DrivePath target)
    {
        var item = Resolve(target).State;
        if (item.IsFolder)
        {
            throw GraphDevException.Invalid("Only files can be downloaded.");
        }

        if (Header(context, "If-None-Match") is { Length: > 0 } ifNoneMatch && GraphDevDrive.TagMatches(item, ifNoneMatch))
        {
            context.Response.StatusCode = 304;
            return Task.CompletedTask;
        }

        context.Response.StatusCode = 302;
        context.Response.Headers.Location = DownloadUrl(item);
        return Task.CompletedTask;
    }

    /// <summary>The item's <c>@microsoft.graph.downloadUrl</c>: valid for the configured lifetime, for this content version.</summary>
    private string DownloadUrl(ItemState item)
    {
        var expires = (Time.GetUtcNow() + _options.DownloadUrlLifetime).ToUnixTimeSeconds();
        var mac = _signer.Sign(item.Id, item.ContentSeq, expires);
        return $"{Urls.ContentBase}/_download/{item.Id}/{item.ContentSeq}/{expires}/{mac}";
    }

    private async Task DownloadAsync(HttpContext context, string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 5 || !long.TryParse(parts[2], CultureInfo.InvariantCulture, out var contentSeq) ||
            !long.TryParse(parts[3], CultureInfo.InvariantCulture, out var expires) ||
            !_signer.Verify(parts[1], contentSeq, expires, parts[4]))
        {
            throw new GraphDevException(401, "unauthenticated", "The download URL is not valid.");
        }

        if (Time.GetUtcNow().ToUnixTimeSeconds() > expires)
        {
            throw new GraphDevException(401, "unauthenticated", "The download URL has expired; request a new one.");
        }

        ItemState item;
        try
        {
            item = _drive.ViewById(parts[1], withPath: false).State;
        }
        catch (GraphDevException)
        {
            throw GraphDevException.NotFound("the file of this download URL");
        }

        if (item.ContentSeq != contentSeq || item.Content is null)
        {
            throw GraphDevException.NotFound("this version of the file (its content changed)");
        }

        await ServeContentAsync(context, item).ConfigureAwait(false);
    }

    private static async Task ServeContentAsync(HttpContext context, ItemState item)
    {
        var blob = item.Content!;
        var length = blob.Length;
        var (start, end) = (0L, length - 1);
        var response = context.Response;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.ETag = item.CTag;
        response.ContentType = "application/octet-stream";
        if (Header(context, "Range") is { Length: > 0 } range && TryParseRange(range, length, out var rs, out var re))
        {
            if (rs < 0)
            {
                response.StatusCode = 416;
                response.Headers.ContentRange = $"bytes */{length}";
                return;
            }

            (start, end) = (rs, re);
            response.StatusCode = 206;
            response.Headers.ContentRange = $"bytes {start}-{end}/{length}";
        }
        else
        {
            response.StatusCode = 200;
        }

        var count = Math.Max(0, end - start + 1);
        response.ContentLength = count;
        if (HttpMethods.IsHead(context.Request.Method) || count == 0)
        {
            return;
        }

        await using var stream = blob.OpenRead();
        stream.Seek(start, SeekOrigin.Begin);
        var buffer = new byte[81920];
        while (count > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), context.RequestAborted).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            await response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted).ConfigureAwait(false);
            count -= read;
        }
    }

    /// <summary>
    /// One "bytes=a-b", "bytes=a-" or "bytes=-n" range. False: serve the whole content (multiple or
    /// malformed ranges may be ignored, as the docs allow). Start -1: unsatisfiable (416).
    /// </summary>
    private static bool TryParseRange(string header, long length, out long start, out long end)
    {
        start = end = 0;
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(','))
        {
            return false;
        }

        var spec = header[6..].Trim();
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return false;
        }

        var first = spec[..dash];
        var last = spec[(dash + 1)..];
        if (first.Length == 0)
        {
            if (!long.TryParse(last, CultureInfo.InvariantCulture, out var suffix) || suffix <= 0)
            {
                return false;
            }

            (start, end) = length == 0 ? (-1, -1) : (Math.Max(0, length - suffix), length - 1);
            return true;
        }

        if (!long.TryParse(first, CultureInfo.InvariantCulture, out start))
        {
            return false;
        }

        var requestedEnd = long.MaxValue;
        if (last.Length > 0 && !long.TryParse(last, CultureInfo.InvariantCulture, out requestedEnd))
        {
            return false;
        }

        if (requestedEnd < start)
        {
            return false; // syntactically invalid: ignore the header
        }

        if (start >= length)
        {
            start = end = -1;
            return true;
        }

        end = Math.Min(requestedEnd, length - 1);
        return true;
    }

    private async Task SimpleUploadAsync(HttpContext context, DrivePath target)
    {
        var baseId = BaseId(target);
        var request = new PutRequest(
            ParseConflict(context.Request.Query["@microsoft.graph.conflictBehavior"].FirstOrDefault(), ConflictBehavior.Replace),
            Header(context, "If-Match"),
            Header(context, "If-None-Match"),
            null);
        if (target.RelativePath is not { Length: > 0 } && baseId == _drive.RootId)
        {
            throw GraphDevException.Invalid("Content cannot be written to the root folder.");
        }

        if (context.Request.ContentLength > _options.SimpleUploadMaxBytes)
        {
            throw new GraphDevException(413, "requestTooLarge", "The content is too large for a simple upload; use an upload session.");
        }

        using var staging = _drive.ContentStore.BeginStaging();
        await staging.AppendAsync(context.Request.Body, _options.SimpleUploadMaxBytes, context.RequestAborted).ConfigureAwait(false);
        var blob = staging.Seal();
        string itemId;
        var status = 200;
        try
        {
            if (target.RelativePath is { Length: > 0 } path)
            {
                var (item, created) = _drive.PutFileAtPath(baseId, path, blob, request);
                (itemId, status) = (item.Id, created ? 201 : 200);
            }
            else
            {
                itemId = _drive.ReplaceContent(baseId, blob, request).Id;
            }
        }
        catch
        {
            ContentStore.Discard(blob);
            throw;
        }

        await WriteItemAsync(context, status, itemId).ConfigureAwait(false);
    }
}
