using SyncFunctions.Abstractions;
using SyncFunctions.Core.InProcess;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Stores;
using SyncFunctions.Graph.Tests.Infrastructure;
using SyncFunctions.GraphDev;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Graph.Tests;

/// <summary>
/// A folder renamed on a source drive (graph-dev, delta) becomes one PATCH of the folder at a destination drive and
/// one rename in a local folder: no content is downloaded or uploaded, whatever the folder holds.
/// </summary>
public sealed class GraphFolderMoveSyncTests : IDisposable
{
    private const int Files = 50;
    private static readonly SyncOptions Options = new() { Parallel = 4, ChunkSize = 64 * 1024 };
    private readonly string _local = Directory.CreateTempSubdirectory("syncfn-gfm-").FullName;
    private readonly InMemoryLedger _ledger = new();

    public void Dispose() => Directory.Delete(_local, recursive: true);

    [Fact]
    public async Task SyncAsync_FolderOf50FilesRenamedDriveToDrive_OnePatchAndNoContent()
    {
        await using var source = await DedicatedServer.StartAsync();
        await using var destination = await DedicatedServer.StartAsync();
        Seed(source.Drive);
        var pair = new PairRecord("g2g", "graph:source", "graph:destination/mirror");
        Assert.Equal(RunOutcome.Succeeded, (await SyncAsync(pair, source.Store(), destination.Store("mirror"))).Outcome);
        source.Drive.Rename(source.Drive.GetByPath("docs")!.Id, "papers");
        source.Server.RequestLog.Reset();
        destination.Server.RequestLog.Reset();

        // A new store, as a new process has: no folder ids cached.
        var summary = await SyncAsync(pair, source.Store(), destination.Store("mirror"));

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(1, summary.Total);
        Assert.Equal(1, destination.Server.RequestLog.Count(GraphRoute.UpdateItem));
        Assert.Equal(0, destination.Server.RequestLog.Count(GraphRoute.SimpleUpload) + destination.Server.RequestLog.Count(GraphRoute.CreateUploadSession));
        Assert.Equal(0, destination.Server.RequestLog.ContentRequests);
        Assert.True(destination.Server.RequestLog.ApiRequests == 4, Describe(destination.Server.RequestLog)); // GET the folder, GET the target parent, PATCH, GET for pruning the old folder (gone)
        Assert.Equal(0, source.Server.RequestLog.Count(GraphRoute.Content) + source.Server.RequestLog.ContentRequests);
        Assert.Equal(0, summary.BytesTransferred);
        Assert.Equal(Snapshot(source.Drive, ""), Snapshot(destination.Drive, "mirror"));
        Assert.Null(destination.Drive.GetByPath("mirror/docs"));
        AssertBaselineUnder(pair, "papers/");

        destination.Server.RequestLog.Reset();
        var again = await SyncAsync(pair, source.Store(), destination.Store("mirror"));

        Assert.Equal(RunOutcome.Succeeded, again.Outcome);
        Assert.Equal(0, again.Total);
        Assert.Equal(0, destination.Server.RequestLog.Total);
    }

    [Fact]
    public async Task SyncAsync_FolderOf50FilesRenamedDriveToLocal_RenamesWithoutDownloading()
    {
        await using var source = await DedicatedServer.StartAsync();
        Seed(source.Drive);
        var pair = new PairRecord("g2l", "graph:source", "local:" + _local);
        var local = new LocalFolderStore(_local, TimeProvider.System);
        Assert.Equal(RunOutcome.Succeeded, (await SyncAsync(pair, source.Store(), local)).Outcome);
        source.Drive.Rename(source.Drive.GetByPath("docs")!.Id, "papers");
        source.Server.RequestLog.Reset();

        var summary = await SyncAsync(pair, source.Store(), local);

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(1, summary.Total);
        Assert.Equal(0, source.Server.RequestLog.Count(GraphRoute.Content) + source.Server.RequestLog.ContentRequests);
        Assert.False(Directory.Exists(Path.Join(_local, "docs")));
        Assert.Equal(Snapshot(source.Drive, ""), LocalSnapshot());
        AssertBaselineUnder(pair, "papers/");
        Assert.Equal(0, (await SyncAsync(pair, source.Store(), local)).Total);
    }

    private static void Seed(GraphDevDrive drive)
    {
        for (var i = 0; i < Files; i++)
        {
            drive.WriteFile($"docs/s{i % 5}/f{i:D2}.txt", System.Text.Encoding.UTF8.GetBytes($"file {i} " + new string('x', i * 10)));
        }

        drive.WriteFile("top.txt", "top"u8);
    }

    private Task<RunSummary> SyncAsync(PairRecord pair, IObjectStore source, IObjectStore destination) =>
        InProcessDriver.WithRetries(_ledger, source, destination, new EngineEnvironment(TimeProvider.System, new OwnerIdentity("h", 7, DateTimeOffset.UnixEpoch), new AllAlive()))
            .SyncAsync(pair, Options, CancellationToken.None);

    private void AssertBaselineUnder(PairRecord pair, string prefix)
    {
        var rows = _ledger.BaselineSnapshot(pair.PairId).Select(b => b.Path).ToList();
        Assert.Equal(Files + 1, rows.Count);
        Assert.Equal(Files, rows.Count(p => p.StartsWith(prefix, StringComparison.Ordinal)));
    }

    /// <summary>Every file below <paramref name="folder"/> ("" for the root): relative path to content.</summary>
    private static SortedDictionary<string, string> Snapshot(GraphDevDrive drive, string folder)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var prefix = folder.Length == 0 ? "" : folder + "/";
        foreach (var item in drive.Snapshot().Where(i => !i.IsFolder && i.Path.StartsWith(prefix, StringComparison.Ordinal)))
        {
            result[item.Path[prefix.Length..]] = Convert.ToBase64String(drive.ReadContent(item.Id));
        }

        return result;
    }

    private SortedDictionary<string, string> LocalSnapshot() =>
        new(
            Directory.EnumerateFiles(_local, "*", SearchOption.AllDirectories)
                .ToDictionary(f => Path.GetRelativePath(_local, f).Replace('\\', '/'), f => Convert.ToBase64String(File.ReadAllBytes(f))),
            StringComparer.Ordinal);

    private static string Describe(RequestLog log) => string.Join(", ", log.Snapshot().Select(kv => $"{kv.Key}: {kv.Value}"));

    private sealed class AllAlive : IOwnerLiveness
    {
        public bool? IsAlive(string host, int pid, DateTimeOffset started) => true;
    }
}
