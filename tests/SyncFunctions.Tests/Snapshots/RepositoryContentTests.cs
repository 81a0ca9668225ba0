using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>Dedup across files, snapshots and writers, and what a crash before the snapshot leaves.</summary>
public sealed class RepositoryContentTests
{
    [Fact]
    public async Task SnapshotAsync_SameContentInTwoFilesAndASecondSnapshot_StoresItOnce()
    {
        var store = new InMemoryObjectStore();
        var repository = await RepositoryKit.InitAsync(store);
        var shared = RepositoryKit.Bytes(1, 100_000);
        var (_, first) = await RepositoryKit.SnapshotAsync(repository, new Dictionary<string, byte[]> { ["a"] = shared, ["d/b"] = shared });
        var packs = RepositoryKit.PackCount(store);
        store.ResetCounters();

        var (_, second) = await RepositoryKit.SnapshotAsync(repository, new Dictionary<string, byte[]> { ["a"] = shared, ["copy"] = shared }, "run-2");

        Assert.True(first.BytesStored <= shared.Length, $"{first.BytesStored} bytes stored for {shared.Length} of content");
        Assert.Equal(0, second.ChunksStored);
        Assert.Equal(0, RepositoryKit.PackWrites(store));
        Assert.Equal(packs, RepositoryKit.PackCount(store));
    }

    [Fact]
    public async Task SnapshotAsync_FewBytesEditedInTheMiddleOf2MiB_StoresOnlyAFewChunks()
    {
        var store = new InMemoryObjectStore();
        var repository = await RepositoryKit.InitAsync(store);
        var original = RepositoryKit.Bytes(2, 2 * 1024 * 1024);
        await RepositoryKit.SnapshotAsync(repository, new Dictionary<string, byte[]> { ["big"] = original });
        var edited = original.ToArray();
        for (var i = 0; i < 5; i++)
        {
            edited[(1024 * 1024) + i] ^= 0xFF;
        }

        var (_, writer) = await RepositoryKit.SnapshotAsync(repository, new Dictionary<string, byte[]> { ["big"] = edited }, "run-2");

        Assert.InRange(writer.ChunksStored, 1, 3);
        Assert.True(writer.BytesStored <= 3 * RepositoryKit.Chunker.Max, $"{writer.BytesStored} bytes stored for a 5-byte edit");
    }

    [Fact]
    public async Task FlushAsync_TwoWritersWithOverlappingContent_EverythingReadable()
    {
        var store = new InMemoryObjectStore();
        var repository = await RepositoryKit.InitAsync(store);
        var a = RepositoryKit.Bytes(3, 40_000);
        var b = RepositoryKit.Bytes(4, 90_000);
        var c = RepositoryKit.Bytes(5, 30_000);
        var one = repository.Content.NewWriter(RepositoryKit.PackTarget);
        var two = repository.Content.NewWriter(RepositoryKit.PackTarget);

        var ofOne = await RepositoryKit.ChunkAsync(repository, one, new Dictionary<string, byte[]> { ["a"] = a, ["b"] = b });
        var ofTwo = await RepositoryKit.ChunkAsync(repository, two, new Dictionary<string, byte[]> { ["b"] = b, ["c"] = c });

        foreach (var content in new[] { repository.Content, (await SnapshotRepository.OpenAsync(store, CancellationToken.None)).Content })
        {
            foreach (var file in ofOne.Concat(ofTwo))
            {
                var bytes = new List<byte>();
                foreach (var chunk in file.Content.Chunks)
                {
                    bytes.AddRange(await content.ReadChunkAsync(chunk.Id, CancellationToken.None));
                }

                Assert.Equal(file.Path switch { "a" => a, "b" => b, _ => c }, bytes.ToArray());
            }
        }

        Assert.Equal(1, one.IndexesWritten);
        Assert.True(one.PacksUploaded > 1, "the packs rolled over");
    }

    [Fact]
    public async Task OpenAsync_AfterACrashBetweenPacksAndSnapshot_ANewSnapshotReusesEveryChunk()
    {
        var store = new InMemoryObjectStore();
        var files = new Dictionary<string, byte[]> { ["x/one"] = RepositoryKit.Bytes(6, 70_000), ["two"] = RepositoryKit.Bytes(7, 20_000) };
        var crashed = await RepositoryKit.InitAsync(store);
        await RepositoryKit.ChunkAsync(crashed, crashed.Content.NewWriter(RepositoryKit.PackTarget), files);
        var packs = RepositoryKit.PackCount(store);
        store.ResetCounters();

        var reopened = await SnapshotRepository.OpenAsync(store, CancellationToken.None);
        var (snapshot, writer) = await RepositoryKit.SnapshotAsync(reopened, files);

        Assert.Equal(0, writer.ChunksStored);
        Assert.Equal(0, RepositoryKit.PackWrites(store));
        Assert.Equal(packs, RepositoryKit.PackCount(store));
        var destination = new InMemoryObjectStore();
        await new SnapshotReader(reopened).RestoreAsync(snapshot.Id, destination, null, CancellationToken.None);
        RepositoryKit.AssertSameFiles(files, destination.Snapshot());
    }

    [Fact]
    public async Task AddAsync_AfterAFailedPackUpload_SendsItAgainOnFlush()
    {
        var store = new InMemoryObjectStore();
        var repository = await RepositoryKit.InitAsync(store);
        var writer = repository.Content.NewWriter(RepositoryKit.PackTarget);
        var content = RepositoryKit.Bytes(8, 9000);
        store.FaultInjector = (op, path) => op == InMemoryObjectStore.Ops.Write && path.StartsWith("packs/", StringComparison.Ordinal)
            ? new StorageException(StorageErrorKind.Transient, "injected")
            : null;
        await writer.AddAsync(content, CancellationToken.None);
        await Assert.ThrowsAsync<StorageException>(() => writer.FlushAsync(CancellationToken.None));
        store.FaultInjector = null;

        await writer.FlushAsync(CancellationToken.None);

        Assert.Equal(content, await repository.Content.ReadChunkAsync(ObjectId.Of(content), CancellationToken.None));
    }

    [Fact]
    public async Task WriteAsync_ChunksFlushedByAnotherProcess_LoadsTheirIndexAndSucceeds()
    {
        var store = new InMemoryObjectStore();
        var finalizer = await RepositoryKit.InitAsync(store);
        var worker = await SnapshotRepository.OpenAsync(store, CancellationToken.None);
        var files = await RepositoryKit.ChunkAsync(worker, worker.Content.NewWriter(RepositoryKit.PackTarget), new Dictionary<string, byte[]> { ["f"] = RepositoryKit.Bytes(9, 20_000) });

        var snapshot = await new SnapshotWriter(finalizer, RepositoryKit.NewClock()).WriteAsync(RepositoryKit.ToAsync(files), RepositoryKit.Info(), CancellationToken.None);

        Assert.All(files[0].Content.Chunks, c => Assert.True(finalizer.Content.Contains(c.Id)));
        var destination = new InMemoryObjectStore();
        await new SnapshotReader(finalizer).RestoreAsync(snapshot.Id, destination, null, CancellationToken.None);
        Assert.Equal(RepositoryKit.Bytes(9, 20_000), destination.TryGet("f"));
    }

    [Fact]
    public async Task OpenAsync_IndexSupersededByACompactedOne_UsesOnlyTheNewOne()
    {
        var store = new InMemoryObjectStore();
        var first = await RepositoryKit.InitAsync(store);
        var second = await SnapshotRepository.OpenAsync(store, CancellationToken.None);
        var content = RepositoryKit.Bytes(40, 30_000);
        var files = new Dictionary<string, byte[]> { ["f"] = content };
        var chunked = await RepositoryKit.ChunkAsync(first, first.Content.NewWriter(RepositoryKit.PackTarget), files);
        var oldIndex = Assert.Single(IndexIds(store));
        var writer = second.Content.NewWriter(RepositoryKit.PackTarget);
        await writer.AddAsync(RepositoryKit.Bytes(41, 500), CancellationToken.None);
        await RepositoryKit.ChunkAsync(second, writer, files);
        var secondIndex = Assert.Single(IndexIds(store), id => id != oldIndex);
        var oldPack = Assert.Single(PackIndex.Decode(oldIndex, store.TryGet(RepositoryLayout.IndexPath(oldIndex))!).Packs).PackId;
        var kept = PackIndex.Decode(secondIndex, store.TryGet(RepositoryLayout.IndexPath(secondIndex))!);
        var compacted = new PackIndex(kept.Packs, [oldIndex, secondIndex]).Encode();
        store.Put(RepositoryLayout.IndexPath(compacted.Id), compacted.Bytes);
        store.Remove(RepositoryLayout.PackPath(oldPack));

        var reopened = await SnapshotRepository.OpenAsync(store, CancellationToken.None);

        foreach (var chunk in chunked[0].Content.Chunks)
        {
            Assert.True(reopened.Content.TryLocate(chunk.Id, out var location));
            Assert.NotEqual(oldPack, location.PackId);
            Assert.Equal(chunk.Length, (await reopened.Content.ReadChunkAsync(chunk.Id, CancellationToken.None)).Length);
        }
    }

    private static List<ObjectId> IndexIds(InMemoryObjectStore store) =>
        [.. store.Paths.Where(p => p.StartsWith(RepositoryLayout.IndexFolder, StringComparison.Ordinal)).Select(p => ObjectId.Parse(p[RepositoryLayout.IndexFolder.Length..]))];
}
