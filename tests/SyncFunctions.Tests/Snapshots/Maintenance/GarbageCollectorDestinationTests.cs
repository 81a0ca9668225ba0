using SyncFunctions.Abstractions;
using SyncFunctions.Core.InProcess;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Destination;
using SyncFunctions.Core.Snapshots.Maintenance;
using SyncFunctions.Tests.Engine;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Snapshots.Maintenance;

/// <summary>GC of a repository that runs write into: the content-reference trees the pair's baseline names survive it.</summary>
public sealed class GarbageCollectorDestinationTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _clock = RepositoryKit.NewClock();
    private readonly InMemoryObjectStore _root;
    private readonly InMemoryLedger _ledger = new();
    private int _pid = 5000;

    public GarbageCollectorDestinationTests() => _root = new InMemoryObjectStore(_clock);

    [Fact]
    public async Task Sync_AfterForgetAndFullGc_CommitsTheNextSnapshotAndEverySnapshotRestores()
    {
        var source = new InMemoryObjectStore();
        source.Put("big.bin", RepositoryKit.Bytes(7, 200_000));
        source.Put("other.bin", RepositoryKit.Bytes(8, 9000));
        source.Put("small.txt", "alpha"u8.ToArray());
        Assert.Equal(RunOutcome.Succeeded, (await SyncAsync(source)).Outcome);
        _clock.Advance(TimeSpan.FromHours(1));
        var big = source.TryGet("big.bin")!;
        big[100] ^= 0xff;
        source.Put("big.bin", big);
        Assert.Equal(RunOutcome.Succeeded, (await SyncAsync(source)).Outcome);

        var repository = await SnapshotRepository.OpenAsync(_root, Ct);
        var forgetter = new SnapshotForgetter(repository, _clock);
        await forgetter.ApplyAsync(await forgetter.PlanAsync(new RetentionPolicy(1, null, null, null, null), null, Ct), Ct);
        var gc = new GarbageCollector(repository, _clock, GcKit.Safety);
        var deleted = 0;
        for (var i = 0; i < 3; i++)
        {
            _clock.Advance(GcKit.Safety.Grace + TimeSpan.FromMinutes(1));
            deleted += (await gc.RunAsync(false, null, Ct)).Deleted.Total;
        }

        Assert.True(deleted > 0);
        source.Put("small.txt", "bravo"u8.ToArray());
        var next = await SyncAsync(source);

        Assert.Equal((RunOutcome.Succeeded, 1L), (next.Outcome, next.Total));
        var reader = new SnapshotReader(await SnapshotRepository.OpenAsync(_root, Ct));
        var snapshots = await reader.ListAsync(Ct);
        Assert.Equal(2, snapshots.Count);
        var restored = new InMemoryObjectStore();
        await reader.RestoreAsync(snapshots[^1].Id, restored, null, Ct);
        RepositoryKit.AssertSameFiles(source.Snapshot(), restored.Snapshot());
    }

    private async Task<RunSummary> SyncAsync(InMemoryObjectStore source)
    {
        var pair = new PairRecord(PairIdentity.Compute("memory:" + source.StoreId, "repo:" + _root.StoreId), "memory:" + source.StoreId, "repo:" + _root.StoreId);
        var env = new EngineEnvironment(TimeProvider.System, new OwnerIdentity("gc-test", Interlocked.Increment(ref _pid), DateTimeOffset.UtcNow), new FakeLiveness());
        // A new destination per run, as a new process: no tree cached from an earlier run.
        var destination = new RepositoryDestination(_root, _clock, RepositoryKit.Chunker);
        return await InProcessDriver.WithRetries(_ledger, source, destination, env)
            .SyncAsync(pair, new SyncOptions { Parallel = 2, ChunkSize = 64 * 1024 }, Ct);
    }
}
