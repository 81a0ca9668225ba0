using Microsoft.AspNetCore.Http;
using SyncFunctions.GraphDev.Model;

namespace SyncFunctions.GraphDev.Http;

/// <summary>
/// Delta: <c>/items/root/delta()</c>, <c>delta(token='…')</c>, <c>/root/delta[?token=…]</c> and the
/// server's own links (<c>/drives/{d}/root/delta?token=…</c>). Delta is only served on the root, as on
/// OneDrive for Business.
/// </summary>
internal sealed partial class GraphApi
{
    private Task DeltaAsync(HttpContext context, DrivePath target)
    {
        var baseId = BaseId(target);
        var addressed = target.RelativePath is { Length: > 0 } ? Resolve(target).State.Id : baseId;
        if (addressed != _drive.RootId)
        {
            throw new GraphDevException(400, "notSupported", "view.delta can only be called on the root.");
        }

        var token = target.DeltaToken ?? context.Request.Query["token"].FirstOrDefault();
        var requestedTop = context.Request.Query["$top"].FirstOrDefault();
        var select = context.Request.Query["$select"].FirstOrDefault();
        var top = PageSize(requestedTop, _options.DeltaPageSize);
        DeltaCursor cursor;
        if (string.IsNullOrEmpty(token))
        {
            cursor = _drive.StartFullEnumeration();
        }
        else if (token == "latest")
        {
            var latest = _drive.Latest();
            return WriteDeltaPageAsync(context, new DeltaPage([], latest, IsLast: true), top, select);
        }
        else if (DeltaToken.TryDecode(token, out cursor, out var bakedTop, out var bakedSelect))
        {
            top = requestedTop is null ? PageSize(bakedTop.ToString(System.Globalization.CultureInfo.InvariantCulture), _options.DeltaPageSize) : top;
            select ??= bakedSelect;
        }
        else
        {
            // Timestamp tokens and foreign tokens are not supported: ask for a resync.
            throw Resync(top, select);
        }

        DeltaPage page;
        try
        {
            page = _drive.ReadDelta(cursor, top, _options.DeltaIncludesAncestors);
        }
        catch (GraphDevException error) when (error.StatusCode == 410)
        {
            throw Resync(top, select);
        }

        return WriteDeltaPageAsync(context, page, top, select);
    }

    private Task WriteDeltaPageAsync(HttpContext context, DeltaPage page, int top, string? select)
    {
        var rendering = Rendering(context, select);
        var link = DeltaLink(DeltaToken.Encode(page.Next, top, select));
        return JsonShapes.WriteJsonAsync(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("@odata.context", $"{Urls.ApiBase}/$metadata#Collection(driveItem)");
            w.WriteStartArray("value");
            foreach (var item in page.Items)
            {
                JsonShapes.WriteItem(w, item, rendering);
            }

            w.WriteEndArray();
            w.WriteString(page.IsLast ? "@odata.deltaLink" : "@odata.nextLink", link);
            w.WriteEndObject();
        });
    }

    private string DeltaLink(string token) => $"{Urls.ApiBase}/drives/{DriveSegment}/root/delta?token={token}";

    /// <summary>410 Gone with the documented codes and a Location that starts a full enumeration.</summary>
    private GraphDevException Resync(int top, string? select)
    {
        var location = $"{Urls.ApiBase}/drives/{DriveSegment}/root/delta?$top={top}" +
                       (select is null ? "" : $"&$select={Uri.EscapeDataString(select)}");
        return new GraphDevException(
            410,
            "resyncRequired",
            "Resync required. Replace any local items with the server's version (including deletes) if you're sure that the service was up to date with your local changes when you last sync'd. Upload any local changes that the server doesn't know about.",
            "resyncChangesApplyDifferences")
        {
            Headers = new Dictionary<string, string> { ["Location"] = location },
        };
    }
}
