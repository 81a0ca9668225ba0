using Microsoft.Graph.Models;

namespace SyncFunctions.GraphDev.Tests.Infrastructure;

/// <summary>A delta round read through the SDK: its pages (in order), the links followed, and the deltaLink.</summary>
internal sealed record DeltaRound(List<List<DriveItem>> Pages, List<string> NextLinks, string DeltaLink)
{
    public IEnumerable<DriveItem> Items => Pages.SelectMany(p => p);

    /// <summary>Last occurrence of each id wins, as clients must apply them.</summary>
    public Dictionary<string, DriveItem> Final()
    {
        var final = new Dictionary<string, DriveItem>(StringComparer.Ordinal);
        foreach (var item in Items)
        {
            final[item.Id!] = item;
        }

        return final;
    }

    /// <summary>Reads a whole round: from the start (link null) or from a deltaLink/Location.</summary>
    public static async Task<DeltaRound> ReadAsync(TestGraph graph, string? link = null, int? top = null, string[]? select = null)
    {
        var delta = graph.Client.Drives[graph.DriveId].Items["root"].Delta;
        var page = link is null
            ? await delta.GetAsDeltaGetResponseAsync(c =>
            {
                c.QueryParameters.Top = top;
                c.QueryParameters.Select = select;
            })
            : await delta.WithUrl(link).GetAsDeltaGetResponseAsync();
        var pages = new List<List<DriveItem>>();
        var nextLinks = new List<string>();
        while (true)
        {
            pages.Add(page!.Value!);
            if (page.OdataNextLink is not { } next)
            {
                return new DeltaRound(pages, nextLinks, page.OdataDeltaLink!);
            }

            nextLinks.Add(next);
            page = await delta.WithUrl(next).GetAsDeltaGetResponseAsync();
        }
    }
}
