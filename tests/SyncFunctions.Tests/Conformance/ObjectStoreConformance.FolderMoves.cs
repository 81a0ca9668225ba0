using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Conformance;

/// <summary>The contract of <see cref="IServerSideFolderMove"/>, run when the store declares it.</summary>
public abstract partial class ObjectStoreConformance
{
    /// <summary>Whether the store implements <see cref="IServerSideFolderMove"/>.</summary>
    protected virtual bool HasFolderMove => false;

    [Fact]
    public async Task FolderMove_IsTheDeclaredCapability()
    {
        var store = await CreateStoreAsync();

        Assert.Equal(HasFolderMove, store.GetCapability<IServerSideFolderMove>() is not null);
    }

    [Fact]
    public async Task MoveFolderAsync_Subtree_MovesEveryObjectWithItsContentAndVersion()
    {
        if (await FolderMoverAsync() is not ({ } store, { } mover))
        {
            return;
        }

        await WriteAsync(store, "src/a.txt", "alpha");
        await WriteAsync(store, "src/deep/b.txt", "beta");
        await WriteAsync(store, "srcx.txt", "sibling");
        var before = (await ListAsync(store)).ToDictionary(o => o.Path, o => o.Version, StringComparer.Ordinal);

        await mover.MoveFolderAsync("src", "dst/renamed", Ct);

        var after = (await ListAsync(store)).ToDictionary(o => o.Path, o => o.Version, StringComparer.Ordinal);
        Assert.Equal(["dst/renamed/a.txt", "dst/renamed/deep/b.txt", "srcx.txt"], after.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(before["src/a.txt"], after["dst/renamed/a.txt"]);
        Assert.Equal(before["src/deep/b.txt"], after["dst/renamed/deep/b.txt"]);
        Assert.Equal("beta", await ReadTextAsync(store, "dst/renamed/deep/b.txt"));
        Assert.Null(await store.GetInfoAsync("src/a.txt", Ct));
    }

    [Fact]
    public async Task MoveFolderAsync_TargetExists_ThrowsPreconditionFailedAndMovesNothing()
    {
        if (await FolderMoverAsync() is not ({ } store, { } mover))
        {
            return;
        }

        await WriteAsync(store, "one/a.txt", "a");
        await WriteAsync(store, "two/b.txt", "b");

        var error = await Assert.ThrowsAsync<StorageException>(() => mover.MoveFolderAsync("one", "two", Ct));

        Assert.Equal(StorageErrorKind.PreconditionFailed, error.Kind);
        Assert.Equal(["one/a.txt", "two/b.txt"], await ListPathsAsync(store));
    }

    [Fact]
    public async Task MoveFolderAsync_NoFolderAtSource_ThrowsNotFound()
    {
        if (await FolderMoverAsync() is not ({ } store, { } mover))
        {
            return;
        }

        await WriteAsync(store, "other/a.txt", "a");

        var error = await Assert.ThrowsAsync<StorageException>(() => mover.MoveFolderAsync("missing", "elsewhere", Ct));

        Assert.Equal(StorageErrorKind.NotFound, error.Kind);
        Assert.Equal(["other/a.txt"], await ListPathsAsync(store));
    }

    private async Task<(IObjectStore Store, IServerSideFolderMove Mover)?> FolderMoverAsync()
    {
        var store = await CreateStoreAsync();
        return store.GetCapability<IServerSideFolderMove>() is { } mover ? (store, mover) : null;
    }
}
