using SyncFunctions.Abstractions;
using SyncFunctions.Azure;
using SyncFunctions.Core.InProcess;
using SyncFunctions.Core.Protocol;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Engine;

/// <summary>Runs of staged changed paths on Azurite, blob to blob: every request is recorded, and none lists a container.</summary>
[Collection("azurite")]
public sealed class AzureChangedPathTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    [Fact]
    public async Task SyncAsync_StagedPathsAfterAFullRun_NoListingRequestAndOnlyThosePathsChange()
    {
        var requests = (FaultInjectingHandler?)null;
        using var connection = azurite.Connect(inner => requests ??= new FaultInjectingHandler(inner));
        var (sourceName, destinationName) = (AzuriteFixture.NewContainerName("cps"), AzuriteFixture.NewContainerName("cpd"));
        var source = BlobObjectStore.Create(connection, sourceName);
        var destination = BlobObjectStore.Create(connection, destinationName);
        var ledger = TableLedger.Create(connection, AzuriteFixture.NewTablePrefix());
        await ledger.InitializeAsync(default);
        for (var i = 0; i < 30; i++)
        {
            await WriteAsync(source, $"d{i % 3}/f{i}.txt", $"v1 {i}");
        }

        var env = new EngineEnvironment(TimeProvider.System, new OwnerIdentity("it", Environment.ProcessId, DateTimeOffset.UnixEpoch), new AlwaysAlive());
        var engine = InProcessDriver.WithRetries(ledger, source, destination, env);
        var pair = new PairRecord(PairIdentity.Compute("blob:" + sourceName, "blob:" + destinationName), "blob:" + sourceName, "blob:" + destinationName);
        var options = new SyncOptions { Parallel = 4, ChunkSize = 256 * 1024 };
        Assert.Equal(RunOutcome.Succeeded, (await engine.SyncAsync(pair, options, default)).Outcome);

        await WriteAsync(source, "d1/f1.txt", "v2 changed");
        await WriteAsync(source, "new/n.txt", "new");
        await source.DeleteAsync("d2/f2.txt", new WriteOptions(), default);
        await WriteAsync(source, "d0/f3.txt", "changed, not reported");
        await ledger.StageChangedPathsAsync(pair.PairId, ["d1/f1.txt", "new/n.txt", "d2/f2.txt"], T0, default);
        requests!.Reset();

        var summary = await engine.SyncAsync(pair, options with { Trigger = "blob-event" }, default);

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(3, summary.Succeeded);
        Assert.Equal(0, requests.Count(r => r.Query.Contains("comp=list", StringComparison.Ordinal)));
        Assert.Equal("v2 changed", await ReadAsync(destination, "d1/f1.txt"));
        Assert.Equal("new", await ReadAsync(destination, "new/n.txt"));
        Assert.Null(await destination.GetInfoAsync("d2/f2.txt", default));
        Assert.Equal("v1 3", await ReadAsync(destination, "d0/f3.txt"));
        Assert.Empty(await ledger.ListChangedPathsAsync(pair.PairId, default).ToListAsync());
        var run = await ledger.GetRunAsync(pair.PairId, summary.RunId!, default);
        Assert.True(run is { PlansChangedPaths: true, ChangedPathCount: 3, ListedCount: 30 }, $"{run}");
    }

    private static async Task WriteAsync(BlobObjectStore store, string path, string text)
    {
        var existing = await store.GetInfoAsync(path, default);
        await store.WriteAsync(path, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), new WriteOptions(existing?.Version, existing is null), default);
    }

    private static async Task<string> ReadAsync(BlobObjectStore store, string path)
    {
        await using var stream = await store.OpenReadAsync(path, 0, null, default);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    private sealed class AlwaysAlive : IOwnerLiveness
    {
        public bool? IsAlive(string host, int pid, DateTimeOffset started) => null;
    }
}
