using System.Text;
using SyncFunctions.Abstractions;
using SyncFunctions.Graph.Tests.Infrastructure;

namespace SyncFunctions.Graph.Tests;

/// <summary>Server-side rename / move (PATCH).</summary>
public sealed class GraphMoveTests(GraphServerFixture fixture) : IClassFixture<GraphServerFixture>
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task MoveAsync_IntoNewFolders_KeepsItemContentAndVersion()
    {
        var store = fixture.NewStore();
        var written = await Write(store, "a/old name.txt", "payload");
        var before = await store.GetInfoAsync("a/old name.txt", Ct);

        var moved = await store.MoveAsync("a/old name.txt", "b/c/new:name?.txt", new WriteOptions(IfMatch: written.ETag), Ct);

        Assert.Null(await store.GetInfoAsync("a/old name.txt", Ct));
        var after = await store.GetInfoAsync("b/c/new:name?.txt", Ct);
        Assert.Equal(before!.ItemId, after!.ItemId);
        Assert.Equal(written.ETag, moved.ETag); // the cTag: content unchanged
        Assert.Equal(moved.ETag, after.Version);
        Assert.Equal("payload", await ReadText(store, "b/c/new:name?.txt"));
    }

    [Fact]
    public async Task MoveAsync_StaleIfMatch_ThrowsPreconditionFailedAndMovesNothing()
    {
        var store = fixture.NewStore();
        var stale = await Write(store, "f", "one");
        await Write(store, "f", "two");

        var error = await Assert.ThrowsAsync<StorageException>(() => store.MoveAsync("f", "g", new WriteOptions(IfMatch: stale.ETag), Ct));

        Assert.Equal(StorageErrorKind.PreconditionFailed, error.Kind);
        Assert.Equal(["f"], await Paths(store));
    }

    [Fact]
    public async Task MoveAsync_TargetExists_ThrowsPreconditionFailedAndOverwritesNothing()
    {
        var store = fixture.NewStore();
        await Write(store, "f", "source");
        await Write(store, "g", "target");

        var error = await Assert.ThrowsAsync<StorageException>(() => store.MoveAsync("f", "g", new WriteOptions(), Ct));

        Assert.Equal(StorageErrorKind.PreconditionFailed, error.Kind);
        Assert.Equal("target", await ReadText(store, "g"));
    }

    [Fact]
    public async Task MoveAsync_MissingSource_ThrowsNotFound()
    {
        var store = fixture.NewStore();

        var error = await Assert.ThrowsAsync<StorageException>(() => store.MoveAsync("nope", "g", new WriteOptions(), Ct));

        Assert.Equal(StorageErrorKind.NotFound, error.Kind);
    }

    private static Task<WriteResult> Write(IObjectStore store, string path, string text) =>
        store.WriteAsync(path, new MemoryStream(Encoding.UTF8.GetBytes(text)), new WriteOptions(), Ct);

    private static async Task<string> ReadText(IObjectStore store, string path)
    {
        await using var stream = await store.OpenReadAsync(path, 0, null, Ct);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    private static async Task<List<string>> Paths(IObjectStore store)
    {
        var paths = new List<string>();
        await foreach (var entry in store.ListAsync(Ct))
        {
            paths.Add(entry.Object!.Path);
        }

        return paths;
    }
}
