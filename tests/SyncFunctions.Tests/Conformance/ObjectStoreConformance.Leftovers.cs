using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Conformance;

/// <summary>
/// What maintenance sees of unfinished transfers: staged chunks with their sizes (every chunked writer), partial
/// files (every resumable writer), and the removals that never touch committed content.
/// </summary>
public abstract partial class ObjectStoreConformance
{
    [Fact]
    public async Task StagedChunkCleaner_NeverCommitted_ReportsSizesAndDiscardRemovesEveryChunk()
    {
        if (await CleanerStoreAsync() is not ({ } store, { } chunked, { } cleaner))
        {
            return;
        }

        await chunked.StageChunkAsync("big/file", ChunkId(0), new MemoryStream(Bytes(3000, 1)), Ct);
        await chunked.StageChunkAsync("big/file", ChunkId(1), new MemoryStream(Bytes(5000, 2)), Ct);

        var state = await cleaner.GetStagedChunkStateAsync("big/file", Ct);
        var discarded = await cleaner.DiscardUncommittedAsync("big/file", Ct);

        Assert.False(state.HasCommittedContent);
        Assert.Equal([(ChunkId(0), 3000L), (ChunkId(1), 5000L)], state.Chunks.Select(c => (c.Id, c.Size)).OrderBy(c => c.Id, StringComparer.Ordinal));
        Assert.Equal(8000, state.Bytes);
        Assert.True(discarded);
        Assert.Empty(await chunked.GetStagedChunksAsync("big/file", Ct));
        Assert.Null(await store.GetInfoAsync("big/file", Ct));
        Assert.Empty(await ListPathsAsync(store));
        Assert.Empty((await cleaner.GetStagedChunkStateAsync("nothing/here", Ct)).Chunks);
    }

    [Fact]
    public async Task StagedChunkCleaner_CommittedObject_KeepsContentVersionAndChunks()
    {
        if (await CleanerStoreAsync() is not ({ } store, { } chunked, { } cleaner))
        {
            return;
        }

        var written = await store.WriteAsync("f", new MemoryStream(Bytes(100, 3)), new WriteOptions(IfNoneMatch: true), Ct);
        await chunked.StageChunkAsync("f", ChunkId(0), new MemoryStream(Bytes(700, 4)), Ct);

        var state = await cleaner.GetStagedChunkStateAsync("f", Ct);
        var discarded = await cleaner.DiscardUncommittedAsync("f", Ct);

        Assert.True(state.HasCommittedContent);
        Assert.Equal(700, state.Bytes);
        Assert.False(discarded);
        Assert.Equal(written.ETag, (await store.GetInfoAsync("f", Ct))!.Version);
        Assert.Equal(Bytes(100, 3), await ReadAsync(store, "f"));
        Assert.Equal([ChunkId(0)], await chunked.GetStagedChunksAsync("f", Ct));
    }

    [Fact]
    public async Task PartialFileCleaner_MeasuresAndRemovesOnlyAnUnchangedPartial()
    {
        var store = await CreateStoreAsync();
        Assert.Equal(HasResumableWriter, store.GetCapability<IPartialFileCleaner>() is not null);
        if (store.GetCapability<IResumableWriter>() is not { } resumable || store.GetCapability<IPartialFileCleaner>() is not { } cleaner)
        {
            return;
        }

        await resumable.AppendPartialAsync("d/f", "v1", 0, new MemoryStream(Bytes(1234, 5)), Ct);

        var size = await cleaner.GetPartialSizeAsync("d/f", Ct);
        var changed = await cleaner.DiscardPartialAsync("d/f", 1000, Ct);
        var kept = await resumable.GetPartialLengthAsync("d/f", "v1", Ct);
        var discarded = await cleaner.DiscardPartialAsync("d/f", 1234, Ct);

        Assert.Equal(1234, size);
        Assert.False(changed);
        Assert.Equal(1234, kept);
        Assert.True(discarded);
        Assert.Null(await cleaner.GetPartialSizeAsync("d/f", Ct));
        Assert.Null(await store.GetInfoAsync("d/f", Ct));
        Assert.Null(await cleaner.GetPartialSizeAsync("none", Ct));
    }

    private async Task<(IObjectStore Store, IChunkedWriter Chunked, IStagedChunkCleaner Cleaner)?> CleanerStoreAsync()
    {
        var store = await CreateStoreAsync();
        Assert.Equal(HasChunkedWriter, store.GetCapability<IStagedChunkCleaner>() is not null);
        return store.GetCapability<IChunkedWriter>() is { } chunked && store.GetCapability<IStagedChunkCleaner>() is { } cleaner ? (store, chunked, cleaner) : null;
    }
}
