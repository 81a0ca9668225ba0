using SyncFunctions.Abstractions;
using SyncFunctions.Azure;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Azure;

[Collection("azurite")]
public sealed class BlobMoveTests(AzuriteFixture azurite)
{
    private BlobObjectStore NewStore() => BlobObjectStore.Create(azurite.Connect(), AzuriteFixture.NewContainerName("move"));

    [Fact]
    public async Task MoveAsync_ExistingBlob_MovesContentAndMetadataServerSide()
    {
        var store = NewStore();
        var written = await store.WriteAsync("a/old.bin", new MemoryStream([1, 2, 3, 4]), new WriteOptions(Sha256: "abc123"), default);

        var moved = await store.MoveAsync("a/old.bin", "b/new name.bin", new WriteOptions(IfMatch: written.ETag), default);

        Assert.Null(await store.GetInfoAsync("a/old.bin", default));
        var info = await store.GetInfoAsync("b/new name.bin", default);
        Assert.Equal(moved.ETag, info!.Version);
        Assert.Equal("abc123", info.Sha256);
        using var read = await store.OpenReadAsync("b/new name.bin", 0, null, default);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal([1, 2, 3, 4], copy.ToArray());
    }

    [Fact]
    public async Task MoveAsync_SourceChangedSinceBaseline_FailsPreconditionAndKeepsSource()
    {
        var store = NewStore();
        await store.WriteAsync("x.bin", new MemoryStream([1]), new WriteOptions(), default);

        var error = await Assert.ThrowsAsync<StorageException>(() => store.MoveAsync("x.bin", "y.bin", new WriteOptions(IfMatch: "\"0xSTALE\""), default));

        Assert.Equal(StorageErrorKind.PreconditionFailed, error.Kind);
        Assert.NotNull(await store.GetInfoAsync("x.bin", default));
        Assert.Null(await store.GetInfoAsync("y.bin", default));
    }

    [Fact]
    public async Task MoveAsync_MissingSource_IsNotFound()
    {
        var store = NewStore();
        await store.WriteAsync("other.bin", new MemoryStream([1]), new WriteOptions(), default);

        var error = await Assert.ThrowsAsync<StorageException>(() => store.MoveAsync("gone.bin", "y.bin", new WriteOptions(), default));

        Assert.Equal(StorageErrorKind.NotFound, error.Kind);
    }
}
