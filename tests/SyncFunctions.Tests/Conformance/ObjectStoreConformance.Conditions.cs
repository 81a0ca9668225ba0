using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Conformance;

/// <summary>Conditional writes and deletes.</summary>
public abstract partial class ObjectStoreConformance
{
    [Fact]
    public async Task WriteAsync_IfNoneMatchWhenAbsent_Writes()
    {
        var store = await CreateStoreAsync();

        await WriteAsync(store, "n", "new", new WriteOptions(IfNoneMatch: true));

        Assert.Equal("new", await ReadTextAsync(store, "n"));
    }

    [Fact]
    public async Task WriteAsync_IfNoneMatchWhenExists_ThrowsPreconditionFailedAndKeepsContent()
    {
        var store = await CreateStoreAsync();
        await WriteAsync(store, "n", "first");

        var error = await Assert.ThrowsAsync<StorageException>(() => WriteAsync(store, "n", "second", new WriteOptions(IfNoneMatch: true)));

        Assert.Equal(StorageErrorKind.PreconditionFailed, error.Kind);
        Assert.Equal("first", await ReadTextAsync(store, "n"));
    }

    [Fact]
    public async Task WriteAsync_IfMatchCurrent_ReplacesContent()
    {
        var store = await CreateStoreAsync();
        var first = await WriteAsync(store, "m", "first");

        var second = await WriteAsync(store, "m", "second!", new WriteOptions(IfMatch: first.ETag));

        Assert.Equal("second!", await ReadTextAsync(store, "m"));
        Assert.NotEqual(first.ETag, second.ETag);
    }

    [Fact]
    public async Task WriteAsync_IfMatchStale_ThrowsPreconditionFailedAndKeepsContent()
    {
        var store = await CreateStoreAsync();
        var stale = await WriteAsync(store, "m", "first");
        await WriteAsync(store, "m", "changed by someone");

        var error = await Assert.ThrowsAsync<StorageException>(() => WriteAsync(store, "m", "mine", new WriteOptions(IfMatch: stale.ETag)));

        Assert.Equal(StorageErrorKind.PreconditionFailed, error.Kind);
        Assert.Equal("changed by someone", await ReadTextAsync(store, "m"));
    }

    [Fact]
    public async Task WriteAsync_IfMatchWhenMissing_ThrowsPreconditionFailed()
    {
        var store = await CreateStoreAsync();
        var gone = await WriteAsync(store, "m", "first");
        await store.DeleteAsync("m", new WriteOptions(), Ct);

        var error = await Assert.ThrowsAsync<StorageException>(() => WriteAsync(store, "m", "mine", new WriteOptions(IfMatch: gone.ETag)));

        Assert.Equal(StorageErrorKind.PreconditionFailed, error.Kind);
        Assert.Null(await store.GetInfoAsync("m", Ct));
    }

    [Fact]
    public async Task WriteAsync_ConcurrentIfNoneMatch_ExactlyOneWins()
    {
        var store = await CreateStoreAsync();

        var attempts = Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await WriteAsync(store, "race", $"writer {i}", new WriteOptions(IfNoneMatch: true));
                return true;
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.PreconditionFailed)
            {
                return false;
            }
        });
        var results = await Task.WhenAll(attempts);

        Assert.Equal(1, results.Count(won => won));
        Assert.StartsWith("writer ", await ReadTextAsync(store, "race"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteAsync_Missing_Succeeds()
    {
        var store = await CreateStoreAsync();

        await store.DeleteAsync("never/there", new WriteOptions(IfMatch: "\"0x1\""), Ct);

        Assert.Empty(await ListPathsAsync(store));
    }

    [Fact]
    public async Task DeleteAsync_Existing_RemovesItFromInfoAndListing()
    {
        var store = await CreateStoreAsync();
        var written = await WriteAsync(store, "dir/sub/gone", "x");
        await WriteAsync(store, "kept", "y");

        await store.DeleteAsync("dir/sub/gone", new WriteOptions(IfMatch: written.ETag), Ct);

        Assert.Null(await store.GetInfoAsync("dir/sub/gone", Ct));
        Assert.Equal(["kept"], await ListPathsAsync(store));
    }

    [Fact]
    public async Task DeleteAsync_IfMatchStale_ThrowsPreconditionFailedAndKeepsObject()
    {
        var store = await CreateStoreAsync();
        var stale = await WriteAsync(store, "d", "first");
        await WriteAsync(store, "d", "changed!");

        var error = await Assert.ThrowsAsync<StorageException>(() => store.DeleteAsync("d", new WriteOptions(IfMatch: stale.ETag), Ct));

        Assert.Equal(StorageErrorKind.PreconditionFailed, error.Kind);
        Assert.Equal("changed!", await ReadTextAsync(store, "d"));
    }
}
