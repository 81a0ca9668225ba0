using System.Text;
using SyncFunctions.Abstractions;
using SyncFunctions.Graph.Tests.Infrastructure;
using SyncFunctions.GraphDev;

namespace SyncFunctions.Graph.Tests;

/// <summary>Removing folders that deletes and moves left empty (IEmptyFolderPruner).</summary>
public sealed class GraphPruneTests(GraphServerFixture fixture) : IClassFixture<GraphServerFixture>
{
    private static CancellationToken Ct => CancellationToken.None;

    private GraphDevDrive Drive => fixture.Server.Drive;

    [Fact]
    public async Task PruneEmptyFoldersAsync_FolderAndParentsEmptied_RemovesThemButNotTheStoreRoot()
    {
        var store = fixture.NewStore(out var root);
        await Write(store, "a/b/c/f.txt");
        await store.DeleteAsync("a/b/c/f.txt", new WriteOptions(), Ct);

        await store.PruneEmptyFoldersAsync(["a", "a/b/c", "a/b"], Ct);

        Assert.Null(Drive.GetByPath($"{root}/a"));
        Assert.NotNull(Drive.GetByPath(root));
    }

    [Fact]
    public async Task PruneEmptyFoldersAsync_ParentStillHoldsAFile_RemovesOnlyTheEmptyChild()
    {
        var store = fixture.NewStore(out var root);
        await Write(store, "a/b/keep.txt");
        await Write(store, "a/b/c/f.txt");
        await store.DeleteAsync("a/b/c/f.txt", new WriteOptions(), Ct);

        await store.PruneEmptyFoldersAsync(["a/b/c", "a/b", "a"], Ct);

        Assert.Null(Drive.GetByPath($"{root}/a/b/c"));
        Assert.NotNull(Drive.GetByPath($"{root}/a/b/keep.txt"));
        Assert.Equal(["keep.txt"], await Paths(store, "a/b/"));
    }

    [Fact]
    public async Task PruneEmptyFoldersAsync_RootOrEmptyPath_NeverRemovesTheRoot()
    {
        await using var host = await DedicatedServer.StartAsync();
        var atDriveRoot = host.Store();
        var atFolder = host.Store("empty");
        host.Drive.CreateFolder("empty");

        await atDriveRoot.PruneEmptyFoldersAsync([""], Ct);
        await atFolder.PruneEmptyFoldersAsync([""], Ct);

        Assert.NotNull(host.Drive.GetByPath("empty"));
        Assert.Equal(0, host.Server.RequestLog.Count(GraphRoute.DeleteItem));
    }

    [Fact]
    public async Task PruneEmptyFoldersAsync_MissingFolders_AreFine()
    {
        var store = fixture.NewStore(out var root);

        await store.PruneEmptyFoldersAsync(["never/was/here", "never/was", "never"], Ct);

        Assert.NotNull(Drive.GetByPath(root));
    }

    [Fact]
    public async Task PruneEmptyFoldersAsync_AFileStandsAtThePath_KeepsIt()
    {
        var store = fixture.NewStore(out var root);
        await Write(store, "a");

        await store.PruneEmptyFoldersAsync(["a"], Ct);

        Assert.NotNull(Drive.GetByPath($"{root}/a"));
    }

    [Fact]
    public async Task PruneEmptyFoldersAsync_FolderChangedBeforeTheDelete_KeepsIt()
    {
        DedicatedServer? host = null;
        var changed = 0;
        await using var server = host = await DedicatedServer.StartAsync(intercept: (request, send) =>
        {
            if (request.Method == HttpMethod.Delete && Interlocked.Exchange(ref changed, 1) == 0)
            {
                // Someone renames the folder and back between our check and our DELETE: a new eTag, same path.
                var folder = host!.Drive.GetByPath("a")!;
                host.Drive.Rename(folder.Id, "a2");
                host.Drive.Rename(folder.Id, "a");
            }

            return send();
        });
        host.Drive.CreateFolder("a");
        var store = host.Store();

        await store.PruneEmptyFoldersAsync(["a"], Ct);

        Assert.Equal(1, changed);
        Assert.NotNull(host.Drive.GetByPath("a"));
        Assert.Equal(1, host.Server.RequestLog.Count(GraphRoute.DeleteItem));
    }

    [Fact]
    public async Task PruneEmptyFoldersAsync_EmptyFolderThenNonEmptyParent_SendsThreeRequestsThenOne()
    {
        await using var host = await DedicatedServer.StartAsync();
        host.Drive.WriteFile("p/keep.txt", [1]);
        var empty = host.Drive.CreateFolder("p/empty");
        var store = host.Store();
        await store.GetRootItemIdAsync(Ct);
        host.Server.RequestLog.Reset();

        await store.PruneEmptyFoldersAsync(["p", "p/empty"], Ct);

        Assert.Null(host.Drive.GetByPath("p/empty"));
        Assert.NotNull(host.Drive.GetByPath("p/keep.txt"));

        // p/empty: GET, children, DELETE; p: GET only (its childCount says it holds something).
        Assert.Equal(2, host.Server.RequestLog.Count(GraphRoute.GetItem));
        Assert.Equal(1, host.Server.RequestLog.Count(GraphRoute.ListChildren));
        Assert.Equal(1, host.Server.RequestLog.Count(GraphRoute.DeleteItem, "DELETE"));
        var children = host.Sent.Single(r => r.Url.AbsolutePath.EndsWith("/children", StringComparison.Ordinal));
        Assert.EndsWith($"/items/{empty.Id}/children", children.Url.AbsolutePath, StringComparison.Ordinal);
        Assert.Contains("top=1", children.Url.Query, StringComparison.Ordinal);
        Assert.EndsWith($"/items/{empty.Id}", host.Sent.Single(r => r.Method == "DELETE").Url.AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PruneEmptyFoldersAsync_Throttled_SurfacesClassifiedAfterOneRequest()
    {
        await using var host = await DedicatedServer.StartAsync();
        host.Drive.CreateFolder("a");
        var store = host.Store();
        await store.GetRootItemIdAsync(Ct);
        host.Server.Faults.Throttle(1, TimeSpan.FromSeconds(3), r => r.Route == GraphRoute.ListChildren);

        var error = await Assert.ThrowsAsync<StorageException>(() => store.PruneEmptyFoldersAsync(["a"], Ct));

        Assert.Equal(StorageErrorKind.Throttled, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(3), error.RetryAfter);
        Assert.Equal(1, host.Server.RequestLog.Count(GraphRoute.ListChildren));
        Assert.NotNull(host.Drive.GetByPath("a"));
    }

    [Fact]
    public async Task PruneEmptyFoldersAsync_ThenUploadSessionIntoTheRemovedFolder_CreatesItAgain()
    {
        var store = fixture.NewStore(out var root);
        await Write(store, "a/b/f.txt"); // caches the ids of a and a/b
        await store.DeleteAsync("a/b/f.txt", new WriteOptions(), Ct);
        await store.PruneEmptyFoldersAsync(["a/b", "a"], Ct);
        Assert.Null(Drive.GetByPath($"{root}/a"));

        var session = await store.CreateUploadSessionAsync("a/b/g.bin", new WriteOptions(), Ct);
        await store.UploadFragmentAsync(session, 0, 3, new MemoryStream([1, 2, 3]), Ct);

        Assert.NotNull(Drive.GetByPath($"{root}/a/b/g.bin"));
    }

    private static Task<WriteResult> Write(IObjectStore store, string path) =>
        store.WriteAsync(path, new MemoryStream(Encoding.UTF8.GetBytes("content of " + path)), new WriteOptions(), Ct);

    private static async Task<List<string>> Paths(IObjectStore store, string prefix)
    {
        var paths = new List<string>();
        await foreach (var entry in store.ListAsync(Ct))
        {
            if (entry.Object is { } o && o.Path.StartsWith(prefix, StringComparison.Ordinal))
            {
                paths.Add(o.Path[prefix.Length..]);
            }
        }

        return paths;
    }
}
