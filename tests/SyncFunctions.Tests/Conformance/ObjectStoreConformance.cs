using System.Text;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Conformance;

/// <summary>
/// The contract of <see cref="IObjectStore"/> that every store passes: subclass it and return a new,
/// empty store from <see cref="CreateStoreAsync"/>. Capability tests (chunked writer, server-side copy,
/// resumable writer) live in the partial files next to this one and run when the store has the capability.
/// </summary>
public abstract partial class ObjectStoreConformance
{
    /// <summary>A new, empty store whose root exists.</summary>
    protected abstract Task<IObjectStore> CreateStoreAsync();

    /// <summary>False for stores that do not keep <see cref="WriteOptions.Sha256"/> (a local folder).</summary>
    protected virtual bool KeepsSha256 => true;

    /// <summary>Whether the store implements <see cref="IChunkedWriter"/> (its tests run only then).</summary>
    protected virtual bool HasChunkedWriter => false;

    /// <summary>Whether the store implements <see cref="IServerSideCopy"/> and hands out read URLs.</summary>
    protected virtual bool HasServerSideCopy => false;

    /// <summary>Whether the store implements <see cref="IResumableWriter"/>.</summary>
    protected virtual bool HasResumableWriter => false;

    /// <summary>
    /// Names every store must hold and list in ordinal order. No name is both a file and a directory
    /// (a local folder cannot hold both "a" and "a/x").
    /// </summary>
    protected virtual IReadOnlyList<string> AwkwardNames { get; } =
    [
        "a-b", "a/x", "a/b/c", "a.txt", "a0", "a b", "A", "B/c", "ä", "a\u0308", "日本/ファイル.txt", " x", "x.", "#", "%", "%20",
        "?q", "~t", "+plus", "e/😀", "z/" + new string('L', 200), "\u00A0nbsp", "ü/ö", "[x]", "{y}", "a=b&c",
    ];

    protected static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task ListAsync_AwkwardNames_YieldsEveryNameInOrdinalOrder()
    {
        var store = await CreateStoreAsync();
        foreach (var name in AwkwardNames.Reverse())
        {
            await WriteAsync(store, name, name);
        }

        var listed = await ListPathsAsync(store);

        Assert.Equal(AwkwardNames.OrderBy(n => n, StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task ListAsync_DirectoryAndSiblingNames_OrdersByFullPath()
    {
        var store = await CreateStoreAsync();
        string[] names = ["a-b", "a/x", "a0", "a.b", "a/-", "a/y/z", "a!", "a/x0", "a/x.y"];
        foreach (var name in names)
        {
            await WriteAsync(store, name, "content");
        }

        var listed = await ListPathsAsync(store);

        Assert.Equal(names.OrderBy(n => n, StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task ListAsync_EmptyStore_YieldsNothing()
    {
        var store = await CreateStoreAsync();

        Assert.Empty(await ListPathsAsync(store));
    }

    [Fact]
    public async Task ListAsync_AfterWrite_ReportsSizeAndVersionOfTheWrite()
    {
        var store = await CreateStoreAsync();
        var result = await WriteAsync(store, "d/f.bin", "twelve bytes");

        var entry = Assert.Single(await ListAsync(store));

        Assert.Equal("d/f.bin", entry.Path);
        Assert.Equal(12, entry.Size);
        Assert.Equal(result.ETag, entry.Version);
    }

    [Fact]
    public async Task WriteAsync_ThenOpenRead_ReturnsSameContent()
    {
        var store = await CreateStoreAsync();
        var content = Bytes(100_000, seed: 3);

        await store.WriteAsync("dir/file.bin", new MemoryStream(content), new WriteOptions(IfNoneMatch: true), Ct);

        Assert.Equal(content, await ReadAsync(store, "dir/file.bin"));
    }

    [Fact]
    public async Task WriteAsync_EmptyContent_StoresEmptyObject()
    {
        var store = await CreateStoreAsync();

        await store.WriteAsync("empty", new MemoryStream([]), new WriteOptions(), Ct);

        Assert.Equal(0, (await store.GetInfoAsync("empty", Ct))!.Size);
        Assert.Empty(await ReadAsync(store, "empty"));
    }

    [Fact]
    public async Task OpenReadAsync_Range_ReturnsThatSlice()
    {
        var store = await CreateStoreAsync();
        var content = Bytes(10_000, seed: 5);
        await store.WriteAsync("r", new MemoryStream(content), new WriteOptions(), Ct);

        Assert.Equal(content[1000..3500], await ReadAsync(store, "r", 1000, 2500));
        Assert.Equal(content[9000..], await ReadAsync(store, "r", 9000, null));
    }

    [Fact]
    public async Task OpenReadAsync_Missing_ThrowsNotFound()
    {
        var store = await CreateStoreAsync();

        var error = await Assert.ThrowsAsync<StorageException>(() => store.OpenReadAsync("missing", 0, null, Ct));

        Assert.Equal(StorageErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task GetInfoAsync_Missing_ReturnsNull()
    {
        var store = await CreateStoreAsync();

        Assert.Null(await store.GetInfoAsync("missing/file", Ct));
    }

    [Fact]
    public async Task GetInfoAsync_Existing_MatchesTheWriteResult()
    {
        var store = await CreateStoreAsync();
        var result = await WriteAsync(store, "f", "hello");

        var info = await store.GetInfoAsync("f", Ct);

        Assert.NotNull(info);
        Assert.Equal(5, info.Size);
        Assert.Equal(result.ETag, info.Version);
    }

    [Fact]
    public async Task WriteAsync_Sha256Option_IsReportedByInfoAndListingWhenKept()
    {
        var store = await CreateStoreAsync();
        var hash = new string('a', 64);
        await store.WriteAsync("h", new MemoryStream([1, 2, 3]), new WriteOptions(Sha256: hash), Ct);

        // A store that does not keep the hash must not claim one.
        var expected = KeepsSha256 ? hash : null;
        Assert.Equal(expected, (await store.GetInfoAsync("h", Ct))!.Sha256);
        Assert.Equal(expected, Assert.Single(await ListAsync(store)).Sha256);
    }

    [Fact]
    public async Task WriteAsync_DifferentContent_ChangesVersion()
    {
        var store = await CreateStoreAsync();
        var first = await WriteAsync(store, "v", "one");

        var second = await WriteAsync(store, "v", "three");

        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal(second.ETag, (await store.GetInfoAsync("v", Ct))!.Version);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/../../b")]
    [InlineData("/absolute")]
    [InlineData("a//b")]
    [InlineData("back\\slash")]
    [InlineData("ctl\u0001")]
    public async Task WriteAsync_InvalidPath_ThrowsInvalidName(string path)
    {
        var store = await CreateStoreAsync();

        var error = await Assert.ThrowsAsync<StorageException>(() => WriteAsync(store, path, "x"));

        Assert.Equal(StorageErrorKind.InvalidName, error.Kind);
    }

    protected static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    protected static Task<WriteResult> WriteAsync(IObjectStore store, string path, string content, WriteOptions? options = null) =>
        store.WriteAsync(path, new MemoryStream(Encoding.UTF8.GetBytes(content)), options ?? new WriteOptions(), Ct);

    protected static async Task<byte[]> ReadAsync(IObjectStore store, string path, long offset = 0, long? length = null)
    {
        await using var stream = await store.OpenReadAsync(path, offset, length, Ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, Ct);
        return buffer.ToArray();
    }

    protected static async Task<string> ReadTextAsync(IObjectStore store, string path) =>
        Encoding.UTF8.GetString(await ReadAsync(store, path));

    protected static async Task<List<ObjectInfo>> ListAsync(IObjectStore store)
    {
        var result = new List<ObjectInfo>();
        await foreach (var entry in store.ListAsync(Ct))
        {
            Assert.Null(entry.Skipped);
            result.Add(entry.Object!);
        }

        return result;
    }

    protected static async Task<List<string>> ListPathsAsync(IObjectStore store) =>
        (await ListAsync(store)).Select(o => o.Path).ToList();
}
