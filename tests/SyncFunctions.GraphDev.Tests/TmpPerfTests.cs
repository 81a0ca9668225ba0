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
            string? link = $"{server.BaseUrl}/drives/{server.DriveId}/items/root/delta()?$top=1000";
            long bytes = 0; int pages = 0;
            while (link is not null)
            {
                var body = await http.GetStringAsync(link);
                bytes += body.Length; pages++;
                using var doc = JsonDocument.Parse(body);
                link = doc.RootElement.TryGetProperty("@odata.nextLink", out var n) ? n.GetString() : null;
            }
            output.WriteLine($"raw enum {watch.Elapsed} pages {pages} MB {bytes / 1e6}");
        }
        output.WriteLine($"mem {GC.GetTotalMemory(true) / 1e6} MB; ws {Environment.WorkingSet / 1e6} MB");
    }
}
