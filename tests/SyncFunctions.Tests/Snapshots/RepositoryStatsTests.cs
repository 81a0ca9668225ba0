using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Core.Snapshots.Maintenance;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>Repository statistics: sizes from the store listing, dedup over snapshots, referenced and unreferenced chunks.</summary>
public sealed class RepositoryStatsTests
{
    [Fact]
    public async Task ComputeAsync_TwoSnapshotsOfDuplicatedFiles_DedupRatioAboveOneAndStoredBytesArePackSizes()
    {
        var store = new InMemoryObjectStore();
        var repository = await RepositoryKit.InitAsync(store);
        var x = RepositoryKit.Bytes(1, 40_000);
        var y = RepositoryKit.Bytes(2, 7_000);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal) { ["a"] = x, ["copy/a"] = x, ["b"] = y, ["empty"] = [] };
        await RepositoryKit.SnapshotAsync(repository, files, "run-1");
        await RepositoryKit.SnapshotAsync(repository, files, "run-2");
        var packs = Paths(store, RepositoryLayout.PacksFolder);

        var stats = await new RepositoryStats(repository).ComputeAsync(CancellationToken.None);

        var oneSnapshot = files.Values.Sum(f => (long)f.Length);
        Assert.Equal(2, stats.Snapshots);
        Assert.Equal(1, stats.Pairs);
        Assert.Equal(2 * oneSnapshot, stats.LogicalBytes);
        Assert.Equal(x.Length + y.Length, stats.UniqueLogicalBytes);
        Assert.Equal(packs.Sum(p => store.TryGetInfo(p)!.Size), stats.StoredBytes);
        Assert.Equal(packs.Count, stats.Packs);
        Assert.Equal(Paths(store, RepositoryLayout.IndexFolder).Count, stats.Indexes);
        Assert.Equal(Paths(store, RepositoryLayout.TreesFolder).Count, stats.Trees);
        Assert.Equal((double)stats.LogicalBytes / stats.StoredBytes, stats.DedupRatio);
        Assert.True(stats.DedupRatio > 1, $"ratio {stats.DedupRatio}");

        // Every chunk is some file's: the packs' chunk data is all referenced.
        var entries = packs.SelectMany(p => PackReader.Open(ObjectId.Parse(p[^ObjectId.HexLength..]), store.TryGet(p)!).Entries).ToList();
        Assert.Equal(entries.Select(e => e.ChunkId).Distinct().Count(), stats.Chunks);
        Assert.Equal(entries.Sum(e => (long)e.StoredLength), stats.ReferencedChunkBytes);
        Assert.Equal(0, stats.UnreferencedChunkBytes);
    }

    [Fact]
    public async Task ComputeAsync_ChunksWrittenWithoutASnapshot_CountAsUnreferenced()
    {
        var store = new InMemoryObjectStore();
        var repository = await RepositoryKit.InitAsync(store);
        await RepositoryKit.SnapshotAsync(repository, new Dictionary<string, byte[]> { ["a"] = RepositoryKit.Bytes(1, 20_000) });
        var before = await new RepositoryStats(repository).ComputeAsync(CancellationToken.None);

        var orphans = await RepositoryKit.ChunkAsync(repository, repository.Content.NewWriter(RepositoryKit.PackTarget),
            new Dictionary<string, byte[]> { ["b"] = RepositoryKit.Bytes(2, 12_000) });
        var after = await new RepositoryStats(repository).ComputeAsync(CancellationToken.None);

        var orphanBytes = orphans[0].Content.Chunks.Select(c => c.Id).Distinct().Sum(id =>
        {
            Assert.True(repository.Content.TryLocate(id, out var location));
            return (long)location.Entry.StoredLength;
        });
        Assert.Equal(0, before.UnreferencedChunkBytes);
        Assert.True(orphanBytes > 0);
        Assert.Equal(orphanBytes, after.UnreferencedChunkBytes);
        Assert.Equal(before.ReferencedChunkBytes, after.ReferencedChunkBytes);
        Assert.Equal(before.LogicalBytes, after.LogicalBytes);
        Assert.True(after.StoredBytes > before.StoredBytes);
    }

    [Fact]
    public async Task ComputeAsync_EmptyRepository_IsAllZeroWithRatioZero()
    {
        var repository = await RepositoryKit.InitAsync(new InMemoryObjectStore());

        var stats = await new RepositoryStats(repository).ComputeAsync(CancellationToken.None);

        Assert.Equal(new RepositoryStatistics(), stats);
        Assert.Equal(0, stats.DedupRatio);
    }

    [Fact]
    public async Task ComputeAsync_VerifierFixture_CountsBothPairsAndTheUnreferencedTree()
    {
        var (store, repository) = await RepositoryVerifierTests.BuildAsync();

        var stats = await new RepositoryStats(repository).ComputeAsync(CancellationToken.None);

        Assert.Equal(3, stats.Snapshots);
        Assert.Equal(2, stats.Pairs);
        Assert.Equal(Paths(store, RepositoryLayout.TreesFolder).Count, stats.Trees);
        Assert.Equal(0, stats.UnreferencedChunkBytes);
    }

    private static List<string> Paths(InMemoryObjectStore store, string folder) =>
        [.. store.Paths.Where(p => p.StartsWith(folder, StringComparison.Ordinal))];
}
