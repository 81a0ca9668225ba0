using SyncFunctions.Abstractions;
using SyncFunctions.Graph.Tests.Infrastructure;
using SyncFunctions.GraphDev;

namespace SyncFunctions.Graph.Tests;

/// <summary>Throttling, authentication headers, drive selectors and name mapping as the server sees them.</summary>
public sealed class GraphServiceBehaviourTests
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task GetInfoAsync_Throttled_SurfacesRetryAfterAfterExactlyOneRequest()
    {
        await using var host = await DedicatedServer.StartAsync();
        host.Drive.WriteFile("f.txt", [1]);
        var store = host.Store();
        await store.GetRootItemIdAsync(Ct);
        host.Server.RequestLog.Reset();
        host.Server.Faults.Throttle(5, TimeSpan.FromSeconds(7), r => r.Route == GraphRoute.GetItem);

        var error = await Assert.ThrowsAsync<StorageException>(() => store.GetInfoAsync("f.txt", Ct));

        Assert.Equal(StorageErrorKind.Throttled, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
        Assert.Equal(1, host.Server.RequestLog.Count(GraphRoute.GetItem)); // the SDK's RetryHandler is not in the chain
        Assert.Equal(4, host.Server.Faults.Pending);
    }

    [Fact]
    public async Task UploadFragmentAsync_Unavailable_SurfacesAfterExactlyOneRequest()
    {
        await using var host = await DedicatedServer.StartAsync();
        var store = host.Store();
        var session = await store.CreateUploadSessionAsync("u.bin", new WriteOptions(), Ct);
        host.Server.Faults.Unavailable(3, TimeSpan.FromSeconds(2), r => r.Route == GraphRoute.UploadSession);

        var error = await Assert.ThrowsAsync<StorageException>(() => store.UploadFragmentAsync(session, 0, 10, new MemoryStream(new byte[10]), Ct));

        Assert.Equal(StorageErrorKind.Throttled, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(2), error.RetryAfter);
        Assert.Equal(1, host.Server.RequestLog.Count(GraphRoute.UploadSession));
    }

    [Fact]
    public async Task ReadChangesAsync_DroppedConnection_IsTransient()
    {
        await using var host = await DedicatedServer.StartAsync();
        var store = host.Store();
        await store.GetRootItemIdAsync(Ct);
        host.Server.Faults.Drop(1, r => r.Route == GraphRoute.Delta);

        var error = await Assert.ThrowsAsync<StorageException>(() => store.ReadChangesAsync(null, Ct));

        Assert.Equal(StorageErrorKind.Transient, error.Kind);
        Assert.Equal(1, host.Server.RequestLog.Count(GraphRoute.Delta));
    }

    [Fact]
    public async Task AnyOperation_LoopbackWithoutCredentials_SendsNoAuthorizationHeader()
    {
        await using var host = await DedicatedServer.StartAsync();
        var store = host.Store("docs");
        await store.WriteAsync("a/b.txt", new MemoryStream([1, 2]), new WriteOptions(), Ct);
        await using (var read = await store.OpenReadAsync("a/b.txt", 0, null, Ct))
        {
            await read.CopyToAsync(Stream.Null);
        }

        var session = await store.CreateUploadSessionAsync("c.bin", new WriteOptions(), Ct);
        await store.UploadFragmentAsync(session, 0, 3, new MemoryStream([1, 2, 3]), Ct);

        Assert.True(host.Sent.Count >= 6);
        Assert.All(host.Sent, r => Assert.False(r.HadAuthorization, $"{r.Method} {r.Url} carried a token"));
    }

    [Theory]
    [InlineData("me")]
    [InlineData("users/ada@contoso.com")]
    [InlineData("sites/contoso.sharepoint.com,1,2")]
    public async Task DriveSelectors_ResolveTheDriveOnce(string selector)
    {
        await using var host = await DedicatedServer.StartAsync();
        var store = new GraphDriveStore(host.Connection, GraphEndpoint.Parse($"graph:{selector}/Sel"));

        await store.WriteAsync("x.txt", new MemoryStream([5]), new WriteOptions(), Ct);
        await store.WriteAsync("y.txt", new MemoryStream([6]), new WriteOptions(), Ct);

        Assert.NotNull(host.Drive.GetByPath("Sel/x.txt"));
        Assert.Equal(1, host.Server.RequestLog.Count(GraphRoute.Drive));
    }

    [Fact]
    public async Task NamesTheDriveCannotHold_AreMappedOnTheDriveAndListedAsOriginals()
    {
        await using var host = await DedicatedServer.StartAsync();
        var store = host.Store("m");
        // Also names that are tricky in URLs only: they need no mapping, only escaping.
        string[] names = ["a:b?.txt", "CON", " lead", "trail.", "dir*/x|y", "x_vti_y", "$top", "a%24b", "p#q", "r+s&t=u"];
        foreach (var name in names)
        {
            await store.WriteAsync(name, new MemoryStream([1]), new WriteOptions(IfNoneMatch: true), Ct);
        }

        Assert.NotNull(host.Drive.GetByPath("m/a\uFF1Ab\uFF1F.txt"));
        Assert.NotNull(host.Drive.GetByPath("m/\u201BCON"));
        Assert.NotNull(host.Drive.GetByPath("m/trail\uFF0E"));
        Assert.NotNull(host.Drive.GetByPath("m/dir\uFF0A/x\uFF5Cy"));
        var listed = new List<string>();
        await foreach (var entry in store.ListAsync(Ct))
        {
            listed.Add(entry.Object!.Path);
        }

        Assert.Equal(names.Order(StringComparer.Ordinal), listed);
        var (items, _, _) = await GraphDeltaTests.ReadRoundAsync(store, null);
        Assert.Contains(items, i => i.Name == "a:b?.txt");
        Assert.Contains(items, i => i.Name == "dir*");
    }

    [Fact]
    public async Task WriteAsync_NameTooLongAfterMapping_ThrowsInvalidNameWithoutARequest()
    {
        await using var host = await DedicatedServer.StartAsync();
        var store = host.Store();

        var error = await Assert.ThrowsAsync<StorageException>(() => store.WriteAsync(new string(':', 200) + new string('x', 60), new MemoryStream([1]), new WriteOptions(), Ct));

        Assert.Equal(StorageErrorKind.InvalidName, error.Kind);
        Assert.Equal(0, host.Server.RequestLog.Total);
    }
}
