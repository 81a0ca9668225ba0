using System.Net;
using SyncFunctions.Abstractions;
using SyncFunctions.Azure;
using SyncFunctions.Core.InProcess;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Stores;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Engine;

/// <summary>The engine in process against Azurite: real Blob and Table adapters, faults injected at the HTTP pipeline.</summary>
[Collection("azurite")]
public sealed class AzureEngineTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("syncfn-engine-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private sealed record Rig(InProcessDriver Engine, PairRecord Pair, FaultInjectingHandler Faults, BlobObjectStore Destination, TableLedger Ledger);

    private Rig Build(IObjectStore source, string container, FaultInjectingHandler? faults = null, string? tablePrefix = null)
    {
        FaultInjectingHandler? handler = faults;
        var connection = azurite.Connect(inner => handler ??= new FaultInjectingHandler(inner));
        var destination = BlobObjectStore.Create(connection, container);
        var ledger = TableLedger.Create(connection, tablePrefix ?? AzuriteFixture.NewTablePrefix());
        var env = new EngineEnvironment(TimeProvider.System, new OwnerIdentity("it", Environment.ProcessId, DateTimeOffset.UnixEpoch), new AlwaysAlive());
        var pair = new PairRecord(PairIdentity.Compute(source.DisplayName, container), source.DisplayName, container);
        return new Rig(InProcessDriver.WithRetries(ledger, source, destination, env), pair, handler!, destination, ledger);
    }

    private string Seed(string name, IEnumerable<(string Path, byte[] Content)> files)
    {
        var dir = Path.Combine(_root, name);
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(dir, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, content);
        }

        Directory.CreateDirectory(dir);
        return dir;
    }

    private static SyncOptions Options => new() { Parallel = 4, ChunkSize = 256 * 1024 };

    [Fact]
    public async Task SyncAsync_ServerBusyTwiceOnUpload_RetriesAndSucceedsWithThreeAttempts()
    {
        var src = Seed("busy", [("a.txt", [1, 2, 3]), ("b.txt", [4])]);
        var rig = Build(new LocalFolderStore(src, TimeProvider.System), AzuriteFixture.NewContainerName("busy"));
        await rig.Destination.WriteAsync("warm", new MemoryStream([0]), new WriteOptions(), default);
        await rig.Destination.DeleteAsync("warm", new WriteOptions(), default);
        rig.Faults.FailNext(2, r => r.Method == HttpMethod.Put && r.RequestUri!.AbsolutePath.EndsWith("/a.txt", StringComparison.Ordinal), Fault.ServerBusy("0"));

        var summary = await rig.Engine.SyncAsync(rig.Pair, Options, default);

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(3, rig.Faults.Count(r => r.Method == HttpMethod.Put && r.Path.EndsWith("/a.txt", StringComparison.Ordinal)));
        Assert.Equal(1, rig.Faults.Count(r => r.Method == HttpMethod.Put && r.Path.EndsWith("/b.txt", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SyncAsync_TimeoutsAndThrottling_AreRetriedOnce_Each()
    {
        var src = Seed("slow", [("t.txt", [1]), ("q.txt", [2])]);
        var rig = Build(new LocalFolderStore(src, TimeProvider.System), AzuriteFixture.NewContainerName("slow"));
        rig.Faults.FailNext(1, r => r.Method == HttpMethod.Put && r.RequestUri!.AbsolutePath.EndsWith("/t.txt", StringComparison.Ordinal), Fault.Timeout());
        rig.Faults.FailNext(1, r => r.Method == HttpMethod.Put && r.RequestUri!.AbsolutePath.EndsWith("/q.txt", StringComparison.Ordinal), Fault.TooManyRequests(1));

        var summary = await rig.Engine.SyncAsync(rig.Pair, Options, default);

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(2, rig.Faults.Count(r => r.Method == HttpMethod.Put && r.Path.EndsWith("/t.txt", StringComparison.Ordinal)));
        Assert.Equal(2, rig.Faults.Count(r => r.Method == HttpMethod.Put && r.Path.EndsWith("/q.txt", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SyncAsync_PermanentBadRequest_FailsThatFileAfterOneAttempt()
    {
        var src = Seed("perm", [("bad.txt", [1]), ("good.txt", [2])]);
        var rig = Build(new LocalFolderStore(src, TimeProvider.System), AzuriteFixture.NewContainerName("perm"));
        rig.Faults.FailNext(50, r => r.Method == HttpMethod.Put && r.RequestUri!.AbsolutePath.EndsWith("/bad.txt", StringComparison.Ordinal), Fault.Status(HttpStatusCode.BadRequest, "InvalidHeaderValue"));

        var summary = await rig.Engine.SyncAsync(rig.Pair, Options, default);

        Assert.Equal(RunOutcome.CompletedWithFailures, summary.Outcome);
        Assert.Equal("bad.txt", Assert.Single(summary.Failures).Path);
        Assert.Equal(1, rig.Faults.Count(r => r.Method == HttpMethod.Put && r.Path.EndsWith("/bad.txt", StringComparison.Ordinal)));
        Assert.NotNull(await rig.Destination.GetInfoAsync("good.txt", default));
    }

    [Fact]
    public async Task SyncAsync_LocalToBlobToLocal_RoundTripIsByteIdentical()
    {
        var rnd = new Random(5);
        byte[] Bytes(int n)
        {
            var b = new byte[n];
            rnd.NextBytes(b);
            return b;
        }

        var files = new (string, byte[])[]
        {
            ("a b/c d.txt", Bytes(10)), ("a-b", Bytes(20)), ("a/x", Bytes(30)), ("ü/日本.txt", Bytes(40)), ("x#y%20z", Bytes(1)),
            ("empty", []), ("deep/1/2/3/4/5/6/f", Bytes(5)), ("large.bin", Bytes((3 * 256 * 1024) + 17)),
        };
        var src = Seed("rt-src", files);
        var container = AzuriteFixture.NewContainerName("rt");
        var up = Build(new LocalFolderStore(src, TimeProvider.System), container);
        var upSummary = await up.Engine.SyncAsync(up.Pair, Options, default);

        var back = Path.Combine(_root, "rt-back");
        Directory.CreateDirectory(back);
        var connection = azurite.Connect();
        var blobSource = BlobObjectStore.Create(connection, container);
        var local = new LocalFolderStore(back, TimeProvider.System);
        var env = new EngineEnvironment(TimeProvider.System, new OwnerIdentity("it", Environment.ProcessId, DateTimeOffset.UnixEpoch), new AlwaysAlive());
        var downPair = new PairRecord(PairIdentity.Compute(container, back), container, back);
        var downSummary = await InProcessDriver.WithRetries(up.Ledger, blobSource, local, env).SyncAsync(downPair, Options, default);

        Assert.Equal(RunOutcome.Succeeded, upSummary.Outcome);
        Assert.Equal(RunOutcome.Succeeded, downSummary.Outcome);
        foreach (var (path, content) in files)
        {
            Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(back, path)));
        }

        var info = await up.Destination.GetInfoAsync("large.bin", default);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(files[^1].Item2)), info!.Sha256);
    }

    [Fact]
    public async Task SyncAsync_BlobToBlob_CopiesServerSideWithoutDownloadingBodies()
    {
        var src = Seed("b2b", [("s.txt", [1, 2]), ("big.bin", new byte[(2 * 256 * 1024) + 5])]);
        var sourceContainer = AzuriteFixture.NewContainerName("b2bsrc");
        var seed = Build(new LocalFolderStore(src, TimeProvider.System), sourceContainer);
        Assert.Equal(RunOutcome.Succeeded, (await seed.Engine.SyncAsync(seed.Pair, Options, default)).Outcome);

        FaultInjectingHandler? handler = null;
        var connection = azurite.Connect(inner => handler = new FaultInjectingHandler(inner));
        var blobSource = BlobObjectStore.Create(connection, sourceContainer);
        var rig = Build(blobSource, AzuriteFixture.NewContainerName("b2bdst"), handler);

        var summary = await rig.Engine.SyncAsync(rig.Pair, Options, default);

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(0, summary.BytesTransferred);
        Assert.Equal(0, handler!.Count(r => r.Method == HttpMethod.Get && r.Path.Contains(sourceContainer, StringComparison.Ordinal) && !r.Query.Contains("comp=", StringComparison.Ordinal) && !r.Query.Contains("restype=", StringComparison.Ordinal)));
        var copied = await rig.Destination.GetInfoAsync("big.bin", default);
        Assert.Equal((2 * 256 * 1024) + 5, copied!.Size);
        Assert.Equal((await blobSource.GetInfoAsync("big.bin", default))!.Sha256, copied.Sha256);
    }

}
