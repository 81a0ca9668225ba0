using SyncFunctions.Abstractions.Hashing;
using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SyncFunctions.GraphDev.Model;

namespace SyncFunctions.GraphDev.Http;

/// <summary>How items are rendered for one response ($select, download URLs, which hashes).</summary>
internal sealed record ItemRendering(string DriveId, HashSet<string>? Select, Func<ItemState, string>? DownloadUrl, bool ShaHashes)
{
    public bool Wants(string property) => Select is null || Select.Contains(property);
}

/// <summary>The JSON shapes of driveItem, drive and error bodies, written with Utf8JsonWriter.</summary>
internal static class JsonShapes
{
    public const string DriveType = "business";

    public static string Date(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static HashSet<string>? ParseSelect(string? select) =>
        string.IsNullOrWhiteSpace(select)
            ? null
            : new HashSet<string>(select.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A driveItem. Delete records look like OneDrive for Business's: id, parentReference, the
    /// deleted facet and a bare file/folder facet, without name, cTag, size or download URL.
    /// </summary>
    public static void WriteItem(Utf8JsonWriter w, ItemView view, ItemRendering r)
    {
        var item = view.State;
        w.WriteStartObject();
        w.WriteString("id", item.Id);
        if (item.Deleted)
        {
            WriteParentReference(w, item, view.ParentPath, r);
            if (r.Wants("lastModifiedDateTime"))
            {
                w.WriteString("lastModifiedDateTime", Date(item.Modified));
            }

            if (r.Wants("deleted"))
            {
                w.WriteStartObject("deleted");
                w.WriteString("state", "deleted");
                w.WriteEndObject();
            }

            w.WriteStartObject(item.IsFolder ? "folder" : "file");
            w.WriteEndObject();
            w.WriteEndObject();
            return;
        }

        WriteLiveProperties(w, view, r);
        w.WriteEndObject();
    }

    private static void WriteLiveProperties(Utf8JsonWriter w, ItemView view, ItemRendering r)
    {
        var item = view.State;
        WriteIf(w, r, "name", item.Name);
        WriteIf(w, r, "eTag", item.ETag);
        if (item.CTag is { } ctag)
        {
            WriteIf(w, r, "cTag", ctag);
        }

        if (r.Wants("size"))
        {
            w.WriteNumber("size", item.Size);
        }

        WriteIf(w, r, "createdDateTime", Date(item.Created));
        WriteIf(w, r, "lastModifiedDateTime", Date(item.Modified));
        WriteParentReference(w, item, view.ParentPath, r);
        if (r.Wants("fileSystemInfo"))
        {
            w.WriteStartObject("fileSystemInfo");
            w.WriteString("createdDateTime", Date(item.FsCreated));
            w.WriteString("lastModifiedDateTime", Date(item.FsModified));
            w.WriteEndObject();
        }

        if (item.IsRoot && r.Wants("root"))
        {
            w.WriteStartObject("root");
            w.WriteEndObject();
        }

        if (item.IsFolder && r.Wants("folder"))
        {
            w.WriteStartObject("folder");
            w.WriteNumber("childCount", view.ChildCount);
            w.WriteEndObject();
        }

        if (item.Content is { } content)
        {
            if (r.Wants("file"))
            {
                WriteFileFacet(w, item, content, r);
            }

            if (r.DownloadUrl is not null && r.Wants("@microsoft.graph.downloadUrl"))
            {
                w.WriteString("@microsoft.graph.downloadUrl", r.DownloadUrl(item));
            }
        }
    }

    private static void WriteFileFacet(Utf8JsonWriter w, ItemState item, ContentBlob content, ItemRendering r)
    {
        var hashes = content.Hashes;
        w.WriteStartObject("file");
        w.WriteString("mimeType", MimeType(item.Name));
        w.WriteStartObject("hashes");
        w.WriteString("quickXorHash", hashes.QuickXorHash);
        if (r.ShaHashes)
        {
            w.WriteString("sha1Hash", hashes.Sha1Hash);
            w.WriteString("sha256Hash", hashes.Sha256Hash);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteParentReference(Utf8JsonWriter w, ItemState item, string? parentPath, ItemRendering r)
    {
        if (!r.Wants("parentReference"))
        {
            return;
        }

        w.WriteStartObject("parentReference");
        w.WriteString("driveType", DriveType);
        w.WriteString("driveId", r.DriveId);
        if (item.ParentId is { } parentId)
        {
            w.WriteString("id", parentId);
            if (parentPath is not null)
            {
                w.WriteString("path", parentPath);
            }
        }

        w.WriteEndObject();
    }

    private static void WriteIf(Utf8JsonWriter w, ItemRendering r, string property, string value)
    {
        if (r.Wants(property))
        {
            w.WriteString(property, value);
        }
    }

    private static string MimeType(string name) => Path.GetExtension(name).ToUpperInvariant() switch
    {
        ".TXT" => "text/plain",
        ".JSON" => "application/json",
        ".HTML" or ".HTM" => "text/html",
        ".PNG" => "image/png",
        ".JPG" or ".JPEG" => "image/jpeg",
        ".PDF" => "application/pdf",
        _ => "application/octet-stream",
    };

    /// <summary>The documented error body; nested codes go to innerError.code.</summary>
    public static void WriteError(Utf8JsonWriter w, GraphDevException error, string? clientRequestId, DateTimeOffset now)
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("code", error.Code);
        w.WriteString("message", error.Message);
        w.WriteStartObject("innerError");
        if (error.InnerCode is { } inner)
        {
            w.WriteString("code", inner);
        }

        w.WriteString("date", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        w.WriteString("request-id", Guid.NewGuid().ToString());
        if (clientRequestId is not null)
        {
            w.WriteString("client-request-id", clientRequestId);
        }

        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Writes a JSON body built by <paramref name="write"/> with status and content type.</summary>
    public static async Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }
}
