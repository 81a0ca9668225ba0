using Microsoft.Extensions.Logging;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.InProcess;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Destination;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Tests.Engine;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>
/// A snapshot repository as a run's destination, through the whole engine: a run makes one snapshot of the source; an
/// unchanged source plans nothing and sends no chunk; an edit sends only new chunks; deletes leave the next snapshot;
/// pairs have their own heads and share chunks; a run interrupted mid-way resumes into one complete snapshot.
/// </summary>
public sealed class RepositoryDestinationTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly InMemoryObjectStore _root = new();
    private readonly RepositoryDestination _repository;
    private readonly InMemoryLedger _ledger = new();
    private int _pid = 4000;

    public RepositoryDestinationTests() => _repository = new RepositoryDestination(_root, TimeProvider.System, RepositoryKit.Chunker);

    [Fact]
    public async Task Sync_IntoRepository_OneSnapshotThatRestoresTheSourceExactly()
    {
        var source = NewSource();

        var run = await SyncAsync(source);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        var snapshot = Assert.Single(await SnapshotsAsync());
        Assert.Equal((source.Paths.Count, run.RunId), ((int)snapshot.Record.Files, snapshot.Record.RunId));
        Assert.Empty(snapshot.Record.Tags);
        var restored = new InMemoryObjectStore();
        await new SnapshotReader(await OpenAsync()).RestoreAsync(snapshot.Id, restored, null, Ct);
        RepositoryKit.AssertSameFiles(source.Snapshot(), restored.Snapshot());
    }

    [Fact]
    public async Task Sync_SourceUnchanged_PlansNothingAndStoresNoChunk()
    {
        var source = NewSource();
        await SyncAsync(source);
        _root.ResetCounters();

        var again = await SyncAsync(source);

        Assert.Equal((RunOutcome.Succeeded, 0L), (again.Outcome, again.Total));
        Assert.Equal(0, RepositoryKit.PackWrites(_root));
        var snapshots = await SnapshotsAsync();
        Assert.Equal(2, snapshots.Count);
        Assert.Equal(snapshots[0].Record.RootTree, snapshots[1].Record.RootTree);
        Assert.Equal(snapshots[0].Id, snapshots[1].Record.Parent);
    }

    [Fact]
    public async Task Sync_SmallEditInALargeFile_StoresOnlyTheChunksAroundIt_OlderSnapshotKeepsTheOldContent()
    {
        var source = NewSource();
        await SyncAsync(source);
        var before = source.Snapshot();
        var big = before["big.bin"].ToArray();
        big[big.Length / 2] ^= 0xff;
        source.Put("big.bin", big);
        var storedBefore = StoredChunkBytes();

        var edited = await SyncAsync(source);

        Assert.Equal((RunOutcome.Succeeded, 1L), (edited.Outcome, edited.Total));
        var sent = StoredChunkBytes() - storedBefore;
        Assert.InRange(sent, 1, 3 * RepositoryKit.Chunker.Max); // the chunk holding the byte (and its neighbours), not 200 KiB
        var snapshots = await SnapshotsAsync();
        var reader = new SnapshotReader(await OpenAsync());
        var old = new InMemoryObjectStore();
        var now = new InMemoryObjectStore();
        await reader.RestoreAsync(snapshots[0].Id, old, null, Ct);
        await reader.RestoreAsync(snapshots[1].Id, now, null, Ct);
        RepositoryKit.AssertSameFiles(before, old.Snapshot());
        RepositoryKit.AssertSameFiles(source.Snapshot(), now.Snapshot());
    }

    [Fact]
    public async Task Sync_FileDeletedAtTheSource_LeavesTheNextSnapshotAndStaysInThePrevious()
    {
        var source = NewSource();
        await SyncAsync(source);
        Assert.True(source.Remove("docs/a.txt"));

        var run = await SyncAsync(source);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        var snapshots = await SnapshotsAsync();
        var reader = new SnapshotReader(await OpenAsync());
        Assert.Contains("docs/a.txt", await PathsAsync(reader, snapshots[0].Id));
        Assert.DoesNotContain("docs/a.txt", await PathsAsync(reader, snapshots[1].Id));
        Assert.Equal(source.Paths, await PathsAsync(reader, snapshots[1].Id));
    }

    [Fact]
    public async Task Sync_TwoPairsIntoOneRepository_EachHasItsHeadAndTheSecondSendsNoChunkTheFirstSent()
    {
        var first = NewSource();
        var second = new InMemoryObjectStore();
        foreach (var (path, content) in first.Snapshot())
        {
            second.Put("copy/" + path, content);
        }

        await SyncAsync(first);
        _root.ResetCounters();
        var run = await SyncAsync(second);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(0, RepositoryKit.PackWrites(_root));
        var snapshots = await SnapshotsAsync();
        Assert.Equal(2, snapshots.Select(s => s.Record.Pair.Id).Distinct().Count());
        Assert.Equal(2, _root.Paths.Count(p => p.StartsWith(RepositoryLayout.HeadsFolder, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Sync_InterruptedMidRun_ResumesIntoOneCompleteSnapshotReusingWhatWasStored()
    {
        var source = new InMemoryObjectStore();
        for (var i = 0; i < 60; i++)
        {
            source.Put($"n/{i:D2}.bin", RepositoryKit.Bytes(i, 3000 + i));
        }

        using var interrupt = new CancellationTokenSource();
        var writes = 0;
        _root.BeforeOperation = (operation, path, _) =>
        {
            if (operation == InMemoryObjectStore.Ops.Write && path.StartsWith(RepositoryLayout.IndexFolder, StringComparison.Ordinal) && Interlocked.Increment(ref writes) == 5)
            {
                interrupt.Cancel();
            }

            return Task.CompletedTask;
        };
        var first = await SyncAsync(source, cancellationToken: interrupt.Token);
        _root.BeforeOperation = null;
        Assert.Equal(RunOutcome.Interrupted, first.Outcome);
        Assert.Empty(await SnapshotsAsync());
        var packsBefore = RepositoryKit.PackCount(_root);

        var resumed = await SyncAsync(source);

        Assert.Equal((RunOutcome.Succeeded, first.RunId), (resumed.Outcome, resumed.RunId));
        var snapshot = Assert.Single(await SnapshotsAsync());
        var restored = new InMemoryObjectStore();
        await new SnapshotReader(await OpenAsync()).RestoreAsync(snapshot.Id, restored, null, Ct);
        RepositoryKit.AssertSameFiles(source.Snapshot(), restored.Snapshot());
        Assert.True(packsBefore > 0);
        Assert.True(RepositoryKit.PackCount(_root) - packsBefore < 60, "the resumed run stored again what the first had stored");
    }

    [Fact]
    public async Task Sync_WithFailedActions_SnapshotIsTaggedPartialAndHoldsWhatWasSynced()
    {
        var source = NewSource();
        source.FaultInjector = (operation, path) => operation == InMemoryObjectStore.Ops.OpenRead && path == "docs/b.txt"
            ? new StorageException(StorageErrorKind.Permanent, "unreadable")
            : null;

        var run = await SyncAsync(source);

        Assert.Equal(RunOutcome.CompletedWithFailures, run.Outcome);
        var snapshot = Assert.Single(await SnapshotsAsync());
        Assert.Equal(["partial"], snapshot.Record.Tags);
        var paths = await PathsAsync(new SnapshotReader(await OpenAsync()), snapshot.Id);
        Assert.DoesNotContain("docs/b.txt", paths);
        Assert.Equal(source.Paths.Count - 1, paths.Count);
    }

    [Fact]
    public async Task CancelledRun_IntoRepository_MakesNoSnapshotAndSaysGcReclaimsWhatItStored()
    {
        var source = NewSource();
        var log = new ListLogger();
        using var logs = new SingleLoggerFactory(log);
        var pair = new PairRecord(PairIdentity.Compute("memory:" + source.StoreId, "repo:" + _root.StoreId), "memory:" + source.StoreId, "repo:" + _root.StoreId);
        var env = new EngineEnvironment(TimeProvider.System, new OwnerIdentity("repo-test", Interlocked.Increment(ref _pid), DateTimeOffset.UtcNow), new FakeLiveness(), logs);
        using var steps = new RunSteps(_ledger, source, _repository, env);
        var start = await steps.StartRunAsync(new StartRunRequest(pair, new SyncOptions { ChunkSize = 64 * 1024 }, "coord-1"), Ct);
        var run = new RunRef(pair.PairId, start.RunId!, "coord-1");
        await steps.ObserveAsync(run, long.MaxValue, null, Ct);

        await steps.CancelRunAsync(run, Ct);

        Assert.Empty(await SnapshotsAsync());
        Assert.Contains(log.Entries, e => e.EventId == 1104 && e.Message.Contains("syncfn gc", StringComparison.Ordinal) && e.Message.Contains(start.RunId!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DryRun_IntoRepository_WritesNothing()
    {
        var source = NewSource();

        var run = await SyncAsync(source, options: new SyncOptions { DryRun = true, Parallel = 4 });

        Assert.True(run.Total > 0);
        Assert.Empty(_root.Paths);
    }

    [Fact]
    public async Task UnboundDestination_RefusesCallsNamingThePairView()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => _repository.GetInfoAsync("a", Ct));

        Assert.Contains(nameof(ISnapshotDestination.ForPair), e.Message, StringComparison.Ordinal);
    }

    private static InMemoryObjectStore NewSource()
    {
        var source = new InMemoryObjectStore();
        source.Put("docs/a.txt", "alpha"u8.ToArray());
        source.Put("docs/b.txt", "bravo"u8.ToArray());
        source.Put("docs-x.txt", "sorted between docs and docs/"u8.ToArray());
        source.Put("empty.txt", []);
        source.Put("big.bin", RepositoryKit.Bytes(7, 200_000));
        source.Put("deep/er/still/c.bin", RepositoryKit.Bytes(8, 9000));
        return source;
    }

    private async Task<RunSummary> SyncAsync(InMemoryObjectStore source, SyncOptions? options = null, CancellationToken cancellationToken = default)
    {
        var pair = new PairRecord(PairIdentity.Compute("memory:" + source.StoreId, "repo:" + _root.StoreId), "memory:" + source.StoreId, "repo:" + _root.StoreId);
        var env = new EngineEnvironment(TimeProvider.System, new OwnerIdentity("repo-test", Interlocked.Increment(ref _pid), DateTimeOffset.UtcNow), new FakeLiveness());
        return await InProcessDriver.WithRetries(_ledger, source, _repository, env)
            .SyncAsync(pair, options ?? new SyncOptions { Parallel = 4, ChunkSize = 64 * 1024 }, cancellationToken);
    }

    private Task<SnapshotRepository> OpenAsync() => SnapshotRepository.OpenAsync(_root, Ct);

    private async Task<IReadOnlyList<StoredSnapshot>> SnapshotsAsync() =>
        _root.Paths.Contains(RepositoryLayout.ConfigPath) ? await new SnapshotReader(await OpenAsync()).ListAsync(Ct) : [];

    private long StoredChunkBytes() =>
        _root.Snapshot().Where(o => o.Key.StartsWith(RepositoryLayout.PacksFolder, StringComparison.Ordinal)).Sum(o => (long)o.Value.Length);

    private static async Task<List<string>> PathsAsync(SnapshotReader reader, ObjectId snapshot)
    {
        var paths = new List<string>();
        await foreach (var file in reader.WalkAsync(snapshot, Ct))
        {
            paths.Add(file.Path);
        }

        return paths;
    }

    private sealed class SingleLoggerFactory(ILogger logger) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => logger;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }
}
