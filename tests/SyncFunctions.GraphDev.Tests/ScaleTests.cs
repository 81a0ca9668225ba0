using SyncFunctions.Abstractions.Hashing;
using System.Diagnostics;
using SyncFunctions.GraphDev.Tests.Infrastructure;

namespace SyncFunctions.GraphDev.Tests;

public sealed class ScaleTests
{
    [Fact]
    public async Task Seed_100kFiles_StartsFastAndAnswersAnIncrementalDeltaWithOneRequest()
    {
        var watch = Stopwatch.StartNew();
        await using var server = await Servers.StartAsync(o => o.SeedFiles = 100_000);
        var seeded = watch.Elapsed;
        using var graph = TestGraph.Create(server);
        var latest = await graph.Client.Drives[server.DriveId].Items["root"].DeltaWithToken("latest").GetAsDeltaWithTokenGetResponseAsync();
        var changed = server.Drive.GetByPath("t0042/s7/file042742.bin")!;
        server.Drive.UpdateContent(changed.Id, [1, 2, 3]);
        server.RequestLog.Reset();

        watch.Restart();
        var round = await DeltaRound.ReadAsync(graph, latest!.OdataDeltaLink);
        var incremental = watch.Elapsed;

        Assert.Equal(100_000 + 1_000 + 100 + 1, server.Drive.ItemCount);
        Assert.True(seeded < TimeSpan.FromSeconds(10), $"seeding took {seeded}");
        Assert.Equal(1, server.RequestLog.ApiRequests);
        var files = round.Items.Where(i => i.File is not null).ToList();
        Assert.Equal(changed.Id, Assert.Single(files).Id);
        Assert.Equal(4, round.Items.Count()); // the file, s7, t0042 and the root
        Assert.True(incremental < TimeSpan.FromSeconds(2), $"incremental delta took {incremental}"); // typically a few ms
    }

    [Fact]
    public async Task Seed_SameParameters_GiveTheSameNamesSizesAndHashes()
    {
        await using var first = await Servers.StartAsync(o => { o.SeedFiles = 50; o.Seed = 9; o.DriveId = "b!same"; });
        await using var second = await Servers.StartAsync(o => { o.SeedFiles = 50; o.Seed = 9; o.DriveId = "b!same"; });

        var a = first.Drive.Snapshot().Select(i => (i.Id, i.Path, i.Size, i.QuickXorHash)).Order().ToList();
        var b = second.Drive.Snapshot().Select(i => (i.Id, i.Path, i.Size, i.QuickXorHash)).Order().ToList();

        Assert.Equal(a, b);
        Assert.Equal(51 + 1 + 1, a.Count); // 50 files, s0, t0000... plus the root
    }
}
