using System.Net.Http;
using System.Text.Json;
using SyncFunctions.GraphDev;
using SyncFunctions.IntegrationTests.Cli;
using SyncFunctions.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace SyncFunctions.IntegrationTests.Graph;

/// <summary>End-to-end: a drive as the source (delta), mirrored into a blob container.</summary>
[Collection("azurite")]
public sealed class GraphSourceTests : GraphCliTestBase
{
    private readonly ITestOutputHelper _output;

    public GraphSourceTests(AzuriteFixture azurite, ITestOutputHelper output)
        : base(azurite)
    {
        _output = output;
    }

    /// <summary>A seeded drive (tNNNN/sN/fileNNNNNN.bin) plus hand-made files with folders, awkward names and a large file.</summary>
    private async Task<GraphDevServer> StartSeededServerAsync(int seedFiles = 250, Action<GraphDevOptions>? configure = null)
    {
        var server = await StartServerAsync(o =>
        {
            o.SeedFiles = seedFiles;
            configure?.Invoke(o);
        });
        WriteDriveFile(server, "notes/today.txt", "hello from the drive"u8.ToArray());
        WriteDriveFile(server, "notes/deep/er/ünïcødé 日本.txt", "unicode"u8.ToArray());
        WriteDriveFile(server, "hash#and%percent+plus.txt", "#%+"u8.ToArray());
        WriteDriveFile(server, "empty.txt", []);
        WriteDriveFile(server, "media/large.bin", TestTree.RandomBytes((5 * 1024 * 1024) + 123, seed: 11));
        return server;
    }

    [Fact]
    public async Task Sync_DriveToBlobFirstRun_BlobMatchesDriveByteForByte()
    {
        var server = await StartSeededServerAsync();
        var container = NewContainer("g2b-first");

        var result = await SyncfnAt(server, "sync", DriveEndpoint(server), $"blob:{container}", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var drive = DriveSnapshot(server);
        Assert.Equal(255, drive.Count);
        Assert.Equal(drive, await BlobSnapshotAsync(container));
        Assert.Equal(drive.Count, result.Long("transferredByThisProcess"));
        Assert.Equal(result.Long("bytesTotal"), result.Long("bytesTransferred"));
    }

    [Fact]
    public async Task Sync_DryRunFromDrive_ChangesNothingAndKeepsTheCursor()
    {
        var server = await StartSeededServerAsync(seedFiles: 20);
        var container = NewContainer("g2b-dry");
        string[] args = ["sync", DriveEndpoint(server), $"blob:{container}", "--json"];

        var dry = await SyncfnAt(server, [.. args, "--dry-run"]);
        var real = await SyncfnAt(server, args);

        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.True(dry.Json.GetProperty("dryRun").GetBoolean());
        Assert.Equal(25, dry.Json.GetProperty("planned").GetArrayLength());
        Assert.Equal(0, dry.Long("bytesTransferred"));
        Assert.True(real.ExitCode == 0, real.ToString());
        Assert.Equal(25, real.Long("transferredByThisProcess"));
        Assert.Equal(DriveSnapshot(server), await BlobSnapshotAsync(container));
    }

    [Fact]
    public async Task Sync_DriveFolderBelowRoot_MirrorsOnlyThatFolder()
    {
        var server = await StartSeededServerAsync(seedFiles: 30);
        var container = NewContainer("g2b-folder");

        var result = await SyncfnAt(server, "sync", DriveEndpoint(server, "notes"), $"blob:{container}/mirror", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var expected = new SortedDictionary<string, string>(
            DriveSnapshot(server, "notes").ToDictionary(kv => "mirror/" + kv.Key, kv => kv.Value), StringComparer.Ordinal);
        Assert.Equal(2, expected.Count);
        Assert.Equal(expected, await BlobSnapshotAsync(container));
    }

    [Fact]
    public async Task Sync_EditDeleteRenameMoveOfFiles_TransfersOnlyChangedContent()
    {
        var server = await StartSeededServerAsync(seedFiles: 40);
        var container = NewContainer("g2b-files");
        string[] args = ["sync", DriveEndpoint(server), $"blob:{container}", "--json"];
        var first = await SyncfnAt(server, args);
        Assert.True(first.ExitCode == 0, first.ToString());

        var edited = TestTree.RandomBytes(1234, seed: 21);
        server.Drive.UpdateContent(DriveItem(server, "notes/today.txt").Id, edited);
        server.Drive.Delete(DriveItem(server, "hash#and%percent+plus.txt").Id);
        server.Drive.Rename(DriveItem(server, "t0000/s0/file000001.bin").Id, "renamed.bin");
        server.Drive.Move(DriveItem(server, "t0000/s0/file000002.bin").Id, DriveItem(server, "notes/deep").Id);
        var second = await SyncfnAt(server, args);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(DriveSnapshot(server), await BlobSnapshotAsync(container));
        _output.WriteLine($"edit+delete+rename+move: {second.Long("bytesTransferred")} bytes, {second.Long("transferredByThisProcess")} transfers");

        // A renamed or moved file is moved server-side in the container: only the edited file's bytes travel.
        Assert.Equal(edited.Length, second.Long("bytesTransferred"));
        Assert.Equal(1, second.Long("transferredByThisProcess"));
    }

    [Fact]
    public async Task Sync_FolderRenameAndMove_MirroredWithoutTouchingOtherFiles()
    {
        var server = await StartSeededServerAsync(seedFiles: 120);
        var container = NewContainer("g2b-folders");
        string[] args = ["sync", DriveEndpoint(server), $"blob:{container}", "--json"];
        var first = await SyncfnAt(server, args);
        Assert.True(first.ExitCode == 0, first.ToString());

        server.Drive.Rename(DriveItem(server, "t0000/s1").Id, "s1-renamed");
        server.Drive.Move(DriveItem(server, "notes/deep").Id, DriveItem(server, "media").Id, "deeper");
        var second = await SyncfnAt(server, args);
        var third = await SyncfnAt(server, args);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(DriveSnapshot(server), await BlobSnapshotAsync(container));
        Assert.Contains("t0000/s1-renamed/file000100.bin", DriveSnapshot(server).Keys);
        Assert.Contains("media/deeper/er/ünïcødé 日本.txt", DriveSnapshot(server).Keys);
        _output.WriteLine($"folder rename + move: {second.Long("bytesTransferred")} bytes, {second.Long("transferredByThisProcess")} transfers, {second.Long("total")} actions");

        // 20 files below the renamed folder plus 1 below the moved one: nothing else is planned, and each is
        // moved server-side in the container, so no body bytes pass through syncfn.
        var moved = server.Drive.Snapshot()
            .Where(i => !i.IsFolder && (i.Path.StartsWith("t0000/s1-renamed/", StringComparison.Ordinal) || i.Path.StartsWith("media/deeper/", StringComparison.Ordinal)))
            .ToList();
        Assert.Equal(21, moved.Count);
        Assert.Equal(21, second.Long("total"));
        Assert.Equal(0, second.Long("bytesTransferred"));
        Assert.True(third.ExitCode == 0, third.ToString());
        Assert.Equal(0, third.Long("total"));
    }

    [Fact]
    public async Task Sync_DeltaWithDuplicateRecords_EachItemAppliedOnce()
    {
        // Small delta pages: every page repeats the ancestors of its items, so folders arrive many times.
        var server = await StartSeededServerAsync(seedFiles: 60, o => o.DeltaPageSize = 7);
        var (records, distinct) = await CountDeltaRecordsAsync(server);
        var container = NewContainer("g2b-dups");

        var result = await SyncfnAt(server, "sync", DriveEndpoint(server), $"blob:{container}", "--json");

        Assert.True(records > distinct, $"expected duplicate delta records, got {records} records of {distinct} items");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(DriveSnapshot(server), await BlobSnapshotAsync(container));
        Assert.Equal(DriveSnapshot(server).Count, result.Long("transferredByThisProcess"));
        Assert.Equal(DriveSnapshot(server).Count, result.Long("total"));
    }

    [Fact]
    public async Task Sync_ResyncWithNothingChanged_TransfersNothing()
    {
        var server = await StartSeededServerAsync(seedFiles: 100);
        var container = NewContainer("g2b-resync");
        string[] args = ["sync", DriveEndpoint(server), $"blob:{container}", "--json"];
        var first = await SyncfnAt(server, args);
        Assert.True(first.ExitCode == 0, first.ToString());
        var before = await BlobSnapshotAsync(container);

        server.Drive.InvalidateDeltaTokens();
        var resync = await SyncfnAt(server, args);

        Assert.True(resync.ExitCode == 0, resync.ToString());
        Assert.Contains("enumerating everything and applying only the differences", resync.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, resync.Long("bytesTransferred"));
        Assert.Equal(0, resync.Long("transferredByThisProcess"));
        Assert.Equal(before, await BlobSnapshotAsync(container));
    }

    [Fact]
    public async Task Sync_ResyncWithOneEditAndOneDelete_AppliesOnlyTheDifferences()
    {
        var server = await StartSeededServerAsync(seedFiles: 100);
        var container = NewContainer("g2b-resync-diff");
        string[] args = ["sync", DriveEndpoint(server), $"blob:{container}", "--json"];
        var first = await SyncfnAt(server, args);
        Assert.True(first.ExitCode == 0, first.ToString());

        var edited = TestTree.RandomBytes(4321, seed: 31);
        server.Drive.UpdateContent(DriveItem(server, "t0000/s0/file000007.bin").Id, edited);
        server.Drive.Delete(DriveItem(server, "notes/today.txt").Id);
        server.Drive.InvalidateDeltaTokens();
        var resync = await SyncfnAt(server, args);

        Assert.True(resync.ExitCode == 0, resync.ToString());
        Assert.Equal(edited.Length, resync.Long("bytesTransferred"));
        Assert.Equal(1, resync.Long("transferredByThisProcess"));
        Assert.Equal(DriveSnapshot(server), await BlobSnapshotAsync(container));
    }

    [Fact]
    public async Task Sync_NoOpIncrementalOnSeededDrive_AtMostThreeGraphRequests()
    {
        var server = await StartServerAsync(o => o.SeedFiles = 2000);
        var container = NewContainer("g2b-noop");
        string[] args = ["sync", DriveEndpoint(server), $"blob:{container}", "--json"];
        var first = await SyncfnAt(server, args);
        Assert.True(first.ExitCode == 0, first.ToString());

        server.RequestLog.Reset();
        var noop = await SyncfnAt(server, args);

        var requests = server.RequestLog.Total;
        _output.WriteLine($"no-op incremental run on a 2,000-file drive: {requests} Graph requests: " +
            string.Join(", ", server.RequestLog.Snapshot().Select(kv => $"{kv.Key} x{kv.Value}")));
        Assert.True(noop.ExitCode == 0, noop.ToString());
        Assert.Equal(0, noop.Long("total"));
        Assert.Equal(1, server.RequestLog.Count(GraphRoute.Delta));
        Assert.InRange(requests, 1, 3);
    }

    [Fact]
    public async Task Sync_ThrottlingStormOnDeltaAndContent_StillSucceeds()
    {
        var server = await StartSeededServerAsync(seedFiles: 30);
        server.Faults.Throttle(5, TimeSpan.FromSeconds(1), r => r.Route == GraphRoute.Delta);
        server.Faults.Throttle(5, TimeSpan.FromSeconds(1), r => r.Route is GraphRoute.Content or GraphRoute.Download);
        var container = NewContainer("g2b-throttle");

        var result = await SyncfnAt(server, "sync", DriveEndpoint(server), $"blob:{container}", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(10, server.Faults.Injected);
        Assert.Equal(0, server.Faults.Pending);
        Assert.Equal(DriveSnapshot(server), await BlobSnapshotAsync(container));
    }

    /// <summary>Reads a full delta enumeration the way the adapter does and counts records and distinct item ids.</summary>
    private static async Task<(int Records, int Distinct)> CountDeltaRecordsAsync(GraphDevServer server)
    {
        using var http = new HttpClient();
        var ids = new List<string>();
        string? next = $"{server.BaseUrl}/drives/{server.DriveId}/items/root/delta()";
        while (next is not null)
        {
            using var page = JsonDocument.Parse(await http.GetStringAsync(new Uri(next)));
            ids.AddRange(page.RootElement.GetProperty("value").EnumerateArray().Select(i => i.GetProperty("id").GetString()!));
            next = page.RootElement.TryGetProperty("@odata.nextLink", out var link) ? link.GetString() : null;
        }

        return (ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }
}
