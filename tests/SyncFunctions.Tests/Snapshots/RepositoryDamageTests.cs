using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>Repositories that are damaged, missing or there already.</summary>
public sealed class RepositoryDamageTests
{
    private static readonly Dictionary<string, byte[]> Files = new(StringComparer.Ordinal)
    {
        ["f"] = RepositoryKit.Bytes(20, 30_000),
    };

    [Fact]
    public async Task ReadChunkAndRestore_PackDeleted_ThrowMissingNamingThePackAndChunk()
    {
        var store = new InMemoryObjectStore();
        var (snapshot, chunk, location) = await SnapshotAndLocateAsync(store);
        store.Remove(RepositoryLayout.PackPath(location.PackId));
        var repository = await SnapshotRepository.OpenAsync(store, CancellationToken.None);

        var read = await Assert.ThrowsAsync<RepositoryFormatException>(() => repository.Content.ReadChunkAsync(chunk, CancellationToken.None));
        var restore = await Assert.ThrowsAsync<RepositoryFormatException>(() =>
            new SnapshotReader(repository).RestoreAsync(snapshot, new InMemoryObjectStore(), null, CancellationToken.None));

        foreach (var e in new[] { read, restore })
        {
            Assert.Equal(FormatDamage.Missing, e.Damage);
            Assert.Contains(location.PackId.ToString(), e.Message, StringComparison.Ordinal);
        }

        Assert.Contains(chunk.ToString(), read.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadChunk_FlippedByteInAPack_ThrowsHashMismatchNamingTheChunk()
    {
        var store = new InMemoryObjectStore();
        var (snapshot, chunk, location) = await SnapshotAndLocateAsync(store);
        var path = RepositoryLayout.PackPath(location.PackId);
        var pack = store.TryGet(path)!;
        pack[location.Entry.Offset + (location.Entry.StoredLength / 2)] ^= 0x40;
        store.Put(path, pack);
        var repository = await SnapshotRepository.OpenAsync(store, CancellationToken.None);

        var e = await Assert.ThrowsAsync<RepositoryFormatException>(() => repository.Content.ReadChunkAsync(chunk, CancellationToken.None));
        var destination = new InMemoryObjectStore();
        var restore = await Assert.ThrowsAsync<RepositoryFormatException>(() =>
            new SnapshotReader(repository).RestoreAsync(snapshot, destination, null, CancellationToken.None));

        Assert.Equal(FormatDamage.HashMismatch, e.Damage);
        Assert.Contains($"chunk {chunk}", e.ObjectName, StringComparison.Ordinal);
        Assert.Equal(FormatDamage.HashMismatch, restore.Damage);
        Assert.Empty(destination.Paths);
    }

    [Fact]
    public async Task InitAsync_Twice_ThrowsThatARepositoryExists()
    {
        var store = new InMemoryObjectStore();
        await RepositoryKit.InitAsync(store);

        var e = await Assert.ThrowsAsync<SnapshotRepositoryException>(() => RepositoryKit.InitAsync(store));

        Assert.Contains("a repository exists at " + store.DisplayName, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_EmptyStore_ThrowsThatThereIsNoRepository()
    {
        var store = new InMemoryObjectStore();

        var e = await Assert.ThrowsAsync<SnapshotRepositoryException>(() => SnapshotRepository.OpenAsync(store, CancellationToken.None));

        Assert.Contains("no repository at " + store.DisplayName, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_AfterInit_KeepsTheChunkerAndKnowsNoChunks()
    {
        var store = new InMemoryObjectStore();
        var created = await RepositoryKit.InitAsync(store);

        var opened = await SnapshotRepository.OpenAsync(store, CancellationToken.None);

        Assert.Equal(created.Config, opened.Config);
        Assert.Equal(RepositoryKit.Chunker, opened.Content.Chunker);
        Assert.Equal(0, opened.Content.ChunkCount);
    }

    private static async Task<(ObjectId Snapshot, ObjectId Chunk, ChunkLocation Location)> SnapshotAndLocateAsync(InMemoryObjectStore store)
    {
        var repository = await RepositoryKit.InitAsync(store);
        var (snapshot, _) = await RepositoryKit.SnapshotAsync(repository, Files);
        var tree = await new SnapshotReader(repository).ReadTreeAsync(snapshot.Record.RootTree, CancellationToken.None);
        var chunk = tree.Find("f")!.Chunks[1].Id;
        Assert.True(repository.Content.TryLocate(chunk, out var location));
        return (snapshot.Id, chunk, location);
    }
}
