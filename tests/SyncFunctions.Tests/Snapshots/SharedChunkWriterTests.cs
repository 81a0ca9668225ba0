using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Destination;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>The shared chunk writer's group commit with packs sealed and uploaded outside its lock.</summary>
public sealed class SharedChunkWriterTests
{
    /// <summary>Twelve files written at once through small packs: each write returns with every chunk durable (indexed in a freshly opened repository) and readable.</summary>
    [Fact]
    public async Task WriteAsync_ConcurrentFiles_ReturnOnlyOnceEveryChunkIsIndexed_AndReadBack()
    {
        var store = new InMemoryObjectStore();
        var repository = await RepositoryKit.InitAsync(store);
        using var writer = new SharedChunkWriter(repository.Content, RepositoryKit.PackTarget);
        var files = Enumerable.Range(0, 12).Select(i => RepositoryKit.Bytes(700 + i, 5_000 + (i * 37_000))).ToArray();

        var written = await Task.WhenAll(files.Select(async (bytes, i) =>
        {
            await Task.Yield();
            var content = await writer.WriteAsync(new MemoryStream(bytes, writable: false), CancellationToken.None);
            Assert.All(content.Chunks, c => Assert.True(repository.Content.IsIndexed(c.Id), $"file {i}: chunk {c.Id} not indexed when its write returned"));
            return content;
        }));

        var reopened = await SnapshotRepository.OpenAsync(store, CancellationToken.None);
        for (var i = 0; i < files.Length; i++)
        {
            Assert.Equal(ObjectId.Of(files[i]), written[i].ContentHash);
            var back = new List<byte>();
            foreach (var chunk in written[i].Chunks)
            {
                back.AddRange(await reopened.Content.ReadChunkAsync(chunk.Id, CancellationToken.None));
            }

            Assert.Equal(files[i], back.ToArray());
        }

        Assert.True(store.Paths.Count(p => p.StartsWith(RepositoryLayout.PacksFolder, StringComparison.Ordinal)) > 5);
        Assert.Equal(files.Sum(f => (long)f.Length), writer.BytesStored);
    }

    /// <summary>
    /// Pack uploads fail now and then: a write whose pack failed throws, the packs it gave back are sent by a later
    /// flush, and every write that returned has its chunks durable; writing the failed files again succeeds.
    /// </summary>
    [Fact]
    public async Task WriteAsync_FailingPackUploads_NoWriteReturnsWithAChunkThatIsNotDurable()
    {
        var store = new InMemoryObjectStore();
        var repository = await RepositoryKit.InitAsync(store);
        using var writer = new SharedChunkWriter(repository.Content, RepositoryKit.PackTarget);
        var uploads = 0;
        store.FaultInjector = (op, path) => op == InMemoryObjectStore.Ops.Write && path.StartsWith(RepositoryLayout.PacksFolder, StringComparison.Ordinal)
            && Interlocked.Increment(ref uploads) % 3 == 0
                ? new StorageException(StorageErrorKind.Transient, "injected")
                : null;
        var files = Enumerable.Range(0, 10).Select(i => RepositoryKit.Bytes(900 + i, 20_000 + (i * 23_000))).ToArray();

        var results = await Task.WhenAll(files.Select(async bytes =>
        {
            await Task.Yield();
            try
            {
                return await writer.WriteAsync(new MemoryStream(bytes, writable: false), CancellationToken.None);
            }
            catch (StorageException)
            {
                return null;
            }
        }));
        store.FaultInjector = null;

        Assert.Contains(results, r => r is null);
        Assert.Contains(results, r => r is not null);
        var reopened = await SnapshotRepository.OpenAsync(store, CancellationToken.None);
        Assert.All(results.Where(r => r is not null), r => Assert.All(r!.Chunks, c => Assert.True(reopened.Content.IsIndexed(c.Id))));
        for (var i = 0; i < files.Length; i++)
        {
            var again = results[i] ?? await writer.WriteAsync(new MemoryStream(files[i], writable: false), CancellationToken.None);
            var fresh = await SnapshotRepository.OpenAsync(store, CancellationToken.None);
            foreach (var chunk in again.Chunks)
            {
                Assert.Equal(chunk.Length, (await fresh.Content.ReadChunkAsync(chunk.Id, CancellationToken.None)).Length);
            }
        }
    }
}
