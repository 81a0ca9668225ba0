using SyncFunctions.Abstractions;
using SyncFunctions.Graph.Tests.Infrastructure;
using SyncFunctions.GraphDev;

namespace SyncFunctions.Graph.Tests;

/// <summary>Upload sessions and simple-upload conditions against the loopback server.</summary>
public sealed class GraphUploadSessionTests(GraphServerFixture fixture) : IClassFixture<GraphServerFixture>
{
    private const int Fragment = 320 * 1024;

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task UploadFragmentAsync_AllFragments_CompletesWithTheItemsVersion()
    {
        var store = fixture.NewStore();
        var content = Bytes((2 * Fragment) + 1000, 1);
        var session = await store.CreateUploadSessionAsync("dir/big.bin", new WriteOptions(IfNoneMatch: true), Ct);

        Assert.Null(await Upload(store, session, content, 0, Fragment));
        Assert.Equal(Fragment, await store.GetNextExpectedOffsetAsync(session, Ct));
        Assert.Null(await Upload(store, session, content, Fragment, Fragment));
        var result = await Upload(store, session, content, 2 * Fragment, 1000);

        Assert.NotNull(result);
        var info = await store.GetInfoAsync("dir/big.bin", Ct);
        Assert.Equal(result.ETag, info!.Version);
        Assert.Equal(content, await ReadAllAsync(store, "dir/big.bin"));
        Assert.Equal(Fragment, store.FragmentMultiple);
    }

    [Fact]
    public async Task GetNextExpectedOffsetAsync_AfterACrash_ResumesAtTheNextExpectedByte()
    {
        var store = fixture.NewStore(out var folder);
        var content = Bytes((3 * Fragment) + 7, 2);
        var session = await store.CreateUploadSessionAsync("resume.bin", new WriteOptions(), Ct);
        await Upload(store, session, content, 0, Fragment);
        await Upload(store, session, content, Fragment, Fragment);

        // A new process: only the checkpointed session remains.
        var resumed = new GraphDriveStore(fixture.Connection, GraphEndpoint.Parse($"graph:{fixture.Server.DriveId}/{folder}"));
        var next = await resumed.GetNextExpectedOffsetAsync(session, Ct);
        Assert.Equal(2 * Fragment, next);
        var result = await Upload(resumed, session, content, next!.Value, content.Length - (int)next.Value);

        Assert.NotNull(result);
        Assert.Equal(content, await ReadAllAsync(resumed, "resume.bin"));
    }

    [Fact]
    public async Task UploadFragmentAsync_FragmentAlreadyStored_CountsAsDone()
    {
        var store = fixture.NewStore();
        var content = Bytes(Fragment + 10, 3);
        var session = await store.CreateUploadSessionAsync("again.bin", new WriteOptions(), Ct);
        await Upload(store, session, content, 0, Fragment);

        // The response to the first PUT was lost; the retry overlaps (416) but the bytes are there.
        Assert.Null(await Upload(store, session, content, 0, Fragment));
        Assert.NotNull(await Upload(store, session, content, Fragment, 10));
        Assert.Equal(content, await ReadAllAsync(store, "again.bin"));
    }

    [Fact]
    public async Task GetNextExpectedOffsetAsync_ExpiredSession_ReturnsNull()
    {
        await using var host = await DedicatedServer.StartAsync();
        var store = host.Store();
        var session = await store.CreateUploadSessionAsync("x.bin", new WriteOptions(), Ct);
        host.Server.ExpireUploadSessions();

        Assert.Null(await store.GetNextExpectedOffsetAsync(session, Ct));
        Assert.Null(await store.GetNextExpectedOffsetAsync(session with { ExpiresAt = DateTimeOffset.UnixEpoch }, Ct));
    }

    [Fact]
    public async Task CancelUploadSessionAsync_Session_EndsItAndIsIdempotent()
    {
        var store = fixture.NewStore();
        var session = await store.CreateUploadSessionAsync("c.bin", new WriteOptions(), Ct);

        await store.CancelUploadSessionAsync(session, Ct);
        await store.CancelUploadSessionAsync(session, Ct);

        Assert.Null(await store.GetNextExpectedOffsetAsync(session, Ct));
        Assert.Null(await store.GetInfoAsync("c.bin", Ct));
    }

    [Fact]
    public async Task CreateUploadSessionAsync_IfMatchStale_ThrowsPreconditionFailed()
    {
        var store = fixture.NewStore();
        var stale = await store.WriteAsync("f", new MemoryStream([1]), new WriteOptions(), Ct);
        await store.WriteAsync("f", new MemoryStream([2]), new WriteOptions(), Ct);

        var error = await Assert.ThrowsAsync<StorageException>(() => store.CreateUploadSessionAsync("f", new WriteOptions(IfMatch: stale.ETag), Ct));

        Assert.Equal(StorageErrorKind.PreconditionFailed, error.Kind);
        Assert.Equal(412, error.Status);
    }

    [Fact]
    public async Task UploadSession_IfNoneMatchWhenExists_FailsAndKeepsTheFile()
    {
        var store = fixture.NewStore();
        await store.WriteAsync("f", new MemoryStream([1, 2, 3]), new WriteOptions(), Ct);

        var error = await Assert.ThrowsAsync<StorageException>(async () =>
        {
            var session = await store.CreateUploadSessionAsync("f", new WriteOptions(IfNoneMatch: true), Ct);
            await Upload(store, session, Bytes(100, 4), 0, 100);
        });

        Assert.Equal(StorageErrorKind.PreconditionFailed, error.Kind);
        Assert.Equal([1, 2, 3], await ReadAllAsync(store, "f"));
    }

    [Fact]
    public async Task WriteAsync_IfMatchStale_Is412PreconditionFailed()
    {
        var store = fixture.NewStore();
        var stale = await store.WriteAsync("m", new MemoryStream([1]), new WriteOptions(), Ct);
        await store.WriteAsync("m", new MemoryStream([2]), new WriteOptions(), Ct);

        var error = await Assert.ThrowsAsync<StorageException>(() => store.WriteAsync("m", new MemoryStream([3]), new WriteOptions(IfMatch: stale.ETag), Ct));

        Assert.Equal(StorageErrorKind.PreconditionFailed, error.Kind);
        Assert.Equal(412, error.Status);
    }

    [Fact]
    public async Task WriteAsync_OverSimpleUploadLimit_UsesOneUploadSession()
    {
        await using var host = await DedicatedServer.StartAsync();
        var store = host.Store(options: new GraphDriveStoreOptions { SessionFragmentSize = 4 * Fragment });
        var content = Bytes((int)store.MaxSimpleUploadSize + 5, 5);

        var result = await store.WriteAsync("large.bin", new MemoryStream(content), new WriteOptions(IfNoneMatch: true), Ct);

        Assert.Equal(result.ETag, (await store.GetInfoAsync("large.bin", Ct))!.Version);
        Assert.Equal(content, await ReadAllAsync(store, "large.bin"));
        Assert.Equal(1, host.Server.RequestLog.Count(GraphRoute.CreateUploadSession));
        Assert.Equal(0, host.Server.RequestLog.Count(GraphRoute.SimpleUpload));
    }

    private static Task<WriteResult?> Upload(GraphDriveStore store, UploadSession session, byte[] content, long offset, int count) =>
        store.UploadFragmentAsync(session, offset, content.Length, new MemoryStream(content, (int)offset, count), Ct);

    private static async Task<byte[]> ReadAllAsync(IObjectStore store, string path)
    {
        await using var stream = await store.OpenReadAsync(path, 0, null, Ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
