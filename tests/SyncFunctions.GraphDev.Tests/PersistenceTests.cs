using Microsoft.Graph;
using SyncFunctions.GraphDev.Tests.Infrastructure;

namespace SyncFunctions.GraphDev.Tests;

public sealed class PersistenceTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "graphdev-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Restart_WithDataDir_KeepsItemsContentTagsAndDeltaLinks()
    {
        IReadOnlyList<DriveItemInfo> before;
        string deltaLink;
        string driveId;
        string uploadedId;
        await using (var server = await Servers.StartAsync(o => { o.DataDir = _dataDir; o.SeedFiles = 30; o.SeedFilesPerFolder = 10; }))
        {
            using var graph = TestGraph.Create(server);
            var uploaded = await graph.Client.Drives[server.DriveId].Items["root"].ItemWithPath("docs/kept.txt").Content.PutAsync(new MemoryStream([7, 7, 7]));
            uploadedId = uploaded!.Id!;
            server.Drive.Rename(server.Drive.GetByPath("t0000/s1")!.Id, "renamed");
            server.Drive.Delete(server.Drive.GetByPath("t0000/s2/file000020.bin")!.Id);
            server.Drive.Seed(5, seed: 2, filesPerFolder: 10);
            server.Drive.InvalidateDeltaTokens();
            deltaLink = (await DeltaRound.ReadAsync(graph)).DeltaLink;
            before = server.Drive.Snapshot();
            driveId = server.DriveId;
        }

        await using var reopened = await Servers.StartAsync(o => { o.DataDir = _dataDir; o.SeedFiles = 999; });
        using var client = TestGraph.Create(reopened);
        var relinked = reopened.BaseUrl + deltaLink[deltaLink.IndexOf("/drives/", StringComparison.Ordinal)..];
        var round = await DeltaRound.ReadAsync(client, relinked);

        Assert.Equal(driveId, reopened.DriveId);
        Assert.Equal(before.OrderBy(i => i.Id).ToList(), reopened.Drive.Snapshot().OrderBy(i => i.Id).ToList());
        Assert.Equal(new byte[] { 7, 7, 7 }, reopened.Drive.ReadContent(uploadedId));
        Assert.Empty(round.Items);
    }

    [Fact]
    public async Task Restart_AfterContentReplaced_DeletesTheOldContentFile()
    {
        await using (var server = await Servers.StartAsync(o => o.DataDir = _dataDir))
        {
            var file = server.Drive.WriteFile("a.bin", [1]);
            server.Drive.UpdateContent(file.Id, [2]);
            server.Drive.WriteFile("b.bin", [3]);
            server.Drive.Delete(server.Drive.GetByPath("b.bin")!.Id);
        }

        await using var reopened = await Servers.StartAsync(o => o.DataDir = _dataDir);

        Assert.Single(Directory.GetFiles(Path.Combine(_dataDir, "content")));
        Assert.Equal(new byte[] { 2 }, reopened.Drive.ReadContent(reopened.Drive.GetByPath("a.bin")!.Id));
    }
}
