using System.Diagnostics;
using System.Text.Json;
using SyncFunctions.GraphDev.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SyncFunctions.GraphDev.Tests;

public sealed class TmpPerfTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Perf_FullEnumeration100k()
    {
        var watch = Stopwatch.StartNew();
        await using var server = await Servers.StartAsync(o => o.SeedFiles = 100_000);
        output.WriteLine($"seed {watch.Elapsed}");
        using var http = new HttpClient();
        for (var round = 0; round < 2; round++)
        {
            watch.Restart();
            var cpu0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            string? link = $"{server.BaseUrl}/drives/{server.DriveId}/items/root/delta()?$top=1000";
            long bytes = 0; int pages = 0;
            while (link is not null)
            {
                var body = await http.GetStringAsync(link);
                bytes += body.Length; pages++;
                using var doc = JsonDocument.Parse(body);
                link = doc.RootElement.TryGetProperty("@odata.nextLink", out var n) ? n.GetString() : null;
            }
            output.WriteLine($"raw enum {watch.Elapsed} cpu {System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu0} pages {pages} MB {bytes / 1e6}");
        }
        using var graph = TestGraph.Create(server);
        var c0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        watch.Restart();
        var count = 0;
        var delta = graph.Client.Drives[server.DriveId].Items["root"].Delta;
        var page = await delta.GetAsDeltaGetResponseAsync(c => c.QueryParameters.Top = 1000);
        while (true) { count += page!.Value!.Count; if (page.OdataNextLink is null) break; page = await delta.WithUrl(page.OdataNextLink).GetAsDeltaGetResponseAsync(); }
        output.WriteLine($"sdk enum {watch.Elapsed} cpu {System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - c0} items {count}");
        output.WriteLine($"mem {GC.GetTotalMemory(true) / 1e6} MB; ws {Environment.WorkingSet / 1e6} MB");
    }
}
