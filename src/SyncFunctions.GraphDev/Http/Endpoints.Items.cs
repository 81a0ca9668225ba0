using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SyncFunctions.GraphDev.Model;

namespace SyncFunctions.GraphDev.Http;

/// <summary>Drive, item, children, create folder, rename/move and delete.</summary>
internal sealed partial class GraphApi
{
    private Task GetDriveAsync(HttpContext context, DrivePath target)
    {
        RequireDrive(target);
        var root = _drive.ViewById(_drive.RootId, withPath: false).State;
        var fileCount = _drive.ItemCount;
        return JsonShapes.WriteJsonAsync(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("@odata.context", $"{Urls.ApiBase}/$metadata#drives/$entity");
            w.WriteString("id", _drive.DriveId);
            w.WriteString("driveType", JsonShapes.DriveType);
            w.WriteString("name", "Documents");
            w.WriteString("createdDateTime", JsonShapes.Date(root.Created));
            w.WriteString("lastModifiedDateTime", JsonShapes.Date(root.Modified));
            w.WriteString("webUrl", $"{Urls.ContentBase}/Documents");
            w.WriteStartObject("owner");
            w.WriteStartObject("user");
            w.WriteString("displayName", "Graph Dev");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("quota");
            w.WriteNumber("total", 1L << 40);
            w.WriteNumber("used", 0);
            w.WriteNumber("remaining", 1L << 40);
            w.WriteNumber("deleted", 0);
            w.WriteNumber("fileCount", fileCount);
            w.WriteString("state", "normal");
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private Task GetItemAsync(HttpContext context, DrivePath target)
    {
        var view = Resolve(target);
        var rendering = Rendering(context);
        return JsonShapes.WriteJsonAsync(context, 200, w => JsonShapes.WriteItem(w, view, rendering));
    }

    private Task ListChildrenAsync(HttpContext context, DrivePath target)
    {
        var folder = Resolve(target).State;
        if (!folder.IsFolder)
        {
            throw GraphDevException.Invalid("Only folders have children.");
        }

        var top = PageSize(context.Request.Query["$top"].FirstOrDefault(), 200);
        var skip = int.TryParse(context.Request.Query["$skiptoken"].FirstOrDefault(), CultureInfo.InvariantCulture, out var s) ? s : 0;
        var select = context.Request.Query["$select"].FirstOrDefault();
        var (page, more) = _drive.ReadChildren(folder.Id, skip, top);
        var rendering = Rendering(context);
        var next = more
            ? $"{Urls.ApiBase}/drives/{DriveSegment}/items/{folder.Id}/children?$top={top}&$skiptoken={skip + page.Count}" +
              (select is null ? "" : $"&$select={Uri.EscapeDataString(select)}")
            : null;
        return JsonShapes.WriteJsonAsync(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("@odata.context", $"{Urls.ApiBase}/$metadata#Collection(driveItem)");
            w.WriteStartArray("value");
            foreach (var item in page)
            {
                JsonShapes.WriteItem(w, item, rendering);
            }

            w.WriteEndArray();
            if (next is not null)
            {
                w.WriteString("@odata.nextLink", next);
            }

            w.WriteEndObject();
        });
    }

    private async Task CreateFolderAsync(HttpContext context, DrivePath target)
    {
        var parent = Resolve(target).State;
        using var body = await ReadJsonAsync(context).ConfigureAwait(false)
            ?? throw GraphDevException.Invalid("A body with name and folder is required.");
        var root = body.RootElement;
        var name = root.TryGetProperty("name", out var n) ? n.GetString() : null;
        if (string.IsNullOrEmpty(name) || !root.TryGetProperty("folder", out _) || root.TryGetProperty("file", out _))
        {
            throw GraphDevException.Invalid("Only folders can be created this way: send {name, folder:{}}.");
        }

        var conflict = ParseConflict(
            StringProperty(root, "@microsoft.graph.conflictBehavior") ?? context.Request.Query["@microsoft.graph.conflictBehavior"].FirstOrDefault(),
            ConflictBehavior.Fail);
        var (created, _) = _drive.CreateFolder(parent.Id, name, conflict);
        await WriteItemAsync(context, 201, created.Id).ConfigureAwait(false);
    }

    private async Task UpdateItemAsync(HttpContext context, DrivePath target)
    {
        var item = Resolve(target).State;
        using var body = await ReadJsonAsync(context).ConfigureAwait(false)
            ?? throw GraphDevException.Invalid("A body is required.");
        var root = body.RootElement;
        string? parentId = null;
        if (root.TryGetProperty("parentReference", out var parentRef) && parentRef.ValueKind == JsonValueKind.Object)
        {
            if (StringProperty(parentRef, "driveId") is { } driveId && driveId != _drive.DriveId)
            {
                throw new GraphDevException(400, "invalidRequest", "Moving items between drives is not supported.");
            }

            parentId = StringProperty(parentRef, "id") ?? (StringProperty(parentRef, "path") is { } path ? ParentIdFromPath(path) : null);
        }

        var conflict = ParseConflict(
            StringProperty(root, "@microsoft.graph.conflictBehavior") ?? context.Request.Query["@microsoft.graph.conflictBehavior"].FirstOrDefault(),
            ConflictBehavior.Fail);
        var update = new ItemUpdate(
            StringProperty(root, "name"), parentId, ReadFileTimes(root), Header(context, "If-Match"), conflict);
        var updated = _drive.Update(item.Id, update);
        await WriteItemAsync(context, 200, updated.Id).ConfigureAwait(false);
    }

    private Task DeleteItemAsync(HttpContext context, DrivePath target)
    {
        var item = Resolve(target).State;
        _drive.Delete(item.Id, Header(context, "If-Match"));
        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    private Task WriteItemAsync(HttpContext context, int status, string itemId)
    {
        var view = _drive.ViewById(itemId, withPath: true);
        var rendering = Rendering(context);
        return JsonShapes.WriteJsonAsync(context, status, w => JsonShapes.WriteItem(w, view, rendering));
    }

    /// <summary>"/drive/root:/a/b" or "/drives/{id}/root:/a/b" to the folder's id.</summary>
    private string ParentIdFromPath(string path)
    {
        var colon = path.IndexOf("root:", StringComparison.Ordinal);
        var relative = colon < 0 ? path : path[(colon + 5)..];
        return _drive.ViewByPath(_drive.RootId, Uri.UnescapeDataString(relative.Trim('/'))).State.Id;
    }

    private static FileTimes? ReadFileTimes(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object ||
            !element.TryGetProperty("fileSystemInfo", out var info) || info.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return new FileTimes(DateProperty(info, "createdDateTime"), DateProperty(info, "lastModifiedDateTime"));
    }

    private static DateTimeOffset? DateProperty(JsonElement element, string name)
    {
        if (StringProperty(element, name) is not { } text)
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
        {
            throw GraphDevException.Invalid($"'{name}' is not a valid date.");
        }

        // The service keeps whole seconds.
        return new DateTimeOffset(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private int PageSize(string? requested, int fallback) =>
        int.TryParse(requested, CultureInfo.InvariantCulture, out var top) && top > 0
            ? Math.Min(top, _options.MaxPageSize)
            : Math.Min(fallback, _options.MaxPageSize);
}
