using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Core.Snapshots.Maintenance;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Snapshots.Maintenance;

/// <summary>Repositories on a fake clock (the store's last-modified times follow it) for the GC tests.</summary>
internal sealed class GcKit
{
    public static readonly GcSafety Safety = new(TimeSpan.FromMinutes(10), 2, TimeSpan.FromMinutes(1));

    private GcKit(FakeTimeProvider clock, InMemoryObjectStore store, SnapshotRepository repository)
    {
        Clock = clock;
        Store = store;
        Repository = repository;
    }

    public FakeTimeProvider Clock { get; }

    public InMemoryObjectStore Store { get; }

    public SnapshotRepository Repository { get; }

    /// <summary>What each snapshot written through <see cref="SnapshotAsync"/> holds.</summary>
    public Dictionary<ObjectId, IReadOnlyDictionary<string, byte[]>> Expected { get; } = [];

    public static async Task<GcKit> CreateAsync()
    {
        var clock = RepositoryKit.NewClock();
        var store = new InMemoryObjectStore(clock);
        var repository = await SnapshotRepository.InitAsync(store, RepositoryKit.Chunker, clock, CancellationToken.None);
        return new GcKit(clock, store, repository);
    }

    public GarbageCollector Collector(SnapshotRepository? repository = null) => new(repository ?? Repository, Clock, Safety);

    /// <summary>Passes the grace and a minute.</summary>
    public void PassGrace() => Clock.Advance(Safety.Grace + TimeSpan.FromMinutes(1));

    /// <summary>Chunks the files with a new writer of <paramref name="repository"/>, flushes, and writes a snapshot of them.</summary>
    public async Task<StoredSnapshot> SnapshotAsync(IReadOnlyDictionary<string, byte[]> files, string runId, SnapshotRepository? repository = null, int packTarget = RepositoryKit.PackTarget)
    {
        repository ??= Repository;
        var writer = repository.Content.NewWriter(packTarget);
        var chunked = await RepositoryKit.ChunkAsync(repository, writer, files);
        var snapshot = await new SnapshotWriter(repository, Clock).WriteAsync(RepositoryKit.ToAsync(chunked), RepositoryKit.Info(runId), CancellationToken.None);
        Expected[snapshot.Id] = files;
        return snapshot;
    }

    /// <summary>Every snapshot record in the store restores (from a freshly opened repository) to exactly what it was written with.</summary>
    public async Task AssertEverySnapshotRestoresAsync()
    {
        var repository = await SnapshotRepository.OpenAsync(Store, CancellationToken.None);
        var reader = new SnapshotReader(repository);
        foreach (var snapshot in await reader.ListAsync(CancellationToken.None))
        {
            var destination = new InMemoryObjectStore();
            await reader.RestoreAsync(snapshot.Id, destination, null, CancellationToken.None);
            RepositoryKit.AssertSameFiles(Expected[snapshot.Id], destination.Snapshot());
        }
    }

    public static Dictionary<string, byte[]> Files(params (string Path, byte[] Content)[] files) =>
        files.ToDictionary(f => f.Path, f => f.Content, StringComparer.Ordinal);
}
