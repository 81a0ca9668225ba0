using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Conformance;

/// <summary>
/// Capability contracts. Each test first checks that the store has exactly the capabilities its
/// subclass declares, then exercises the capability when it is there.
/// </summary>
public abstract partial class ObjectStoreConformance
{
    [Fact]
    public async Task Capabilities_AreTheDeclaredOnes()
    {
        var store = await CreateStoreAsync();

        Assert.Equal(HasChunkedWriter, store is IChunkedWriter);
        Assert.Equal(HasServerSideCopy, store is IServerSideCopy && store is IReadUrlProvider { CanProvideReadUrls: true });
        Assert.Equal(HasResumableWriter, store is IResumableWriter);
    }

    [Fact]
    public async Task ChunkedWriter_StageThenCommit_ContentIsTheChunksInCommitOrder()
    {
        if (await ChunkedStoreAsync() is not ({ } store, { } chunked))
        {
            return;
        }

        var parts = new[] { Bytes(3000, 1), Bytes(5000, 2), Bytes(1, 3) };
        foreach (var i in new[] { 2, 0, 1 })
        {
            await chunked.StageChunkAsync("big/file", ChunkId(i), new MemoryStream(parts[i]), Ct);
        }

        Assert.Equal([ChunkId(0), ChunkId(1), ChunkId(2)], (await chunked.GetStagedChunksAsync("big/file", Ct)).Order(StringComparer.Ordinal));
        var result = await chunked.CommitChunksAsync("big/file", [ChunkId(0), ChunkId(1), ChunkId(2)], new WriteOptions(IfNoneMatch: true), Ct);

        Assert.Equal(parts.SelectMany(p => p).ToArray(), await ReadAsync(store, "big/file"));
        Assert.Equal(result.ETag, (await store.GetInfoAsync("big/file", Ct))!.Version);
        Assert.Empty(await chunked.GetStagedChunksAsync("big/file", Ct));
    }

    [Fact]
    public async Task ChunkedWriter_StagedButUncommitted_IsListedPerPathAndNotAsAnObject()
    {
        if (await ChunkedStoreAsync() is not ({ } store, { } chunked))
        {
            return;
        }

        await chunked.StageChunkAsync("p1", ChunkId(0), new MemoryStream([1, 2]), Ct);

        Assert.Equal([ChunkId(0)], await chunked.GetStagedChunksAsync("p1", Ct));
        Assert.Empty(await chunked.GetStagedChunksAsync("p2", Ct));
        Assert.Null(await store.GetInfoAsync("p1", Ct));
        Assert.Empty(await ListPathsAsync(store));
    }

    [Fact]
    public async Task ChunkedWriter_CommitUnknownChunk_ThrowsWithoutWriting()
    {
        if (await ChunkedStoreAsync() is not ({ } store, { } chunked))
        {
            return;
        }

        await chunked.StageChunkAsync("f", ChunkId(0), new MemoryStream([1]), Ct);

        var error = await Assert.ThrowsAsync<StorageException>(() => chunked.CommitChunksAsync("f", [ChunkId(0), ChunkId(7)], new WriteOptions(), Ct));

        Assert.False(error.IsRetryable);
        Assert.Null(await store.GetInfoAsync("f", Ct));
    }

    [Fact]
    public async Task ChunkedWriter_CommitIfNoneMatchWhenExists_ThrowsPreconditionFailed()
    {
        if (await ChunkedStoreAsync() is not ({ } store, { } chunked))
        {
            return;
        }

        await WriteAsync(store, "f", "already here");
        await chunked.StageChunkAsync("f", ChunkId(0), new MemoryStream([1]), Ct);

        var error = await Assert.ThrowsAsync<StorageException>(() => chunked.CommitChunksAsync("f", [ChunkId(0)], new WriteOptions(IfNoneMatch: true), Ct));

        Assert.Equal(StorageErrorKind.PreconditionFailed, error.Kind);
        Assert.Equal("already here", await ReadTextAsync(store, "f"));
    }

    [Fact]
    public async Task ServerSideCopy_CopyFromUrl_CopiesContentAndHash()
    {
        if (await CopyStoreAsync() is not ({ } store, { } copy, { } urls))
        {
            return;
        }

        var content = Bytes(20_000, 9);
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
        await store.WriteAsync("src/a b#?.bin", new MemoryStream(content), new WriteOptions(Sha256: hash), Ct);
        var url = await urls.GetReadUrlAsync("src/a b#?.bin", TimeSpan.FromMinutes(5), Ct);

        await copy.CopyFromUrlAsync("dst/copy", url, new WriteOptions(IfNoneMatch: true, Sha256: hash), Ct);

        Assert.Equal(content, await ReadAsync(store, "dst/copy"));
        Assert.Equal(hash, (await store.GetInfoAsync("dst/copy", Ct))!.Sha256);
    }

    [Fact]
    public async Task ServerSideCopy_StageChunksFromUrl_CommitAssemblesTheCopy()
    {
        if (await CopyStoreAsync() is not ({ } store, { } copy, { } urls) || store is not IChunkedWriter chunked)
        {
            return;
        }

        var content = Bytes(10_000, 11);
        await store.WriteAsync("src", new MemoryStream(content), new WriteOptions(), Ct);
        var url = await urls.GetReadUrlAsync("src", TimeSpan.FromMinutes(5), Ct);

        await copy.StageChunkFromUrlAsync("dst", ChunkId(0), url, 0, 4000, Ct);
        await copy.StageChunkFromUrlAsync("dst", ChunkId(1), url, 4000, 4000, Ct);
        await copy.StageChunkFromUrlAsync("dst", ChunkId(2), url, 8000, 2000, Ct);
        await chunked.CommitChunksAsync("dst", [ChunkId(0), ChunkId(1), ChunkId(2)], new WriteOptions(IfNoneMatch: true), Ct);

        Assert.Equal(content, await ReadAsync(store, "dst"));
    }

    [Fact]
    public async Task ServerSideCopy_CopyIfNoneMatchWhenExists_ThrowsPreconditionFailed()
    {
        if (await CopyStoreAsync() is not ({ } store, { } copy, { } urls))
        {
            return;
        }

        await WriteAsync(store, "src", "source");
        await WriteAsync(store, "dst", "destination");
        var url = await urls.GetReadUrlAsync("src", TimeSpan.FromMinutes(5), Ct);

        var error = await Assert.ThrowsAsync<StorageException>(() => copy.CopyFromUrlAsync("dst", url, new WriteOptions(IfNoneMatch: true), Ct));

        Assert.Equal(StorageErrorKind.PreconditionFailed, error.Kind);
        Assert.Equal("destination", await ReadTextAsync(store, "dst"));
    }

    /// <summary>A chunk id as the engine makes them: base64 of a fixed-width number.</summary>
    protected static string ChunkId(int index) => Convert.ToBase64String(BitConverter.GetBytes((long)index));

    private async Task<(IObjectStore Store, IChunkedWriter Chunked)?> ChunkedStoreAsync()
    {
        var store = await CreateStoreAsync();
        Assert.Equal(HasChunkedWriter, store is IChunkedWriter);
        return store is IChunkedWriter chunked ? (store, chunked) : null;
    }

    private async Task<(IObjectStore Store, IServerSideCopy Copy, IReadUrlProvider Urls)?> CopyStoreAsync()
    {
        var store = await CreateStoreAsync();
        var capable = store is IServerSideCopy && store is IReadUrlProvider { CanProvideReadUrls: true };
        Assert.Equal(HasServerSideCopy, capable);
        return capable ? (store, (IServerSideCopy)store, (IReadUrlProvider)store) : null;
    }
}
