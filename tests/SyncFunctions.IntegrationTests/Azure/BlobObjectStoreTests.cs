using System.Security.Cryptography;
using System.Text;
using SyncFunctions.Abstractions;
using SyncFunctions.Azure;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Azure;

[Collection("azurite")]
public sealed class BlobObjectStoreTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly AzureStorageConnection _connection = azurite.Connect();

    public void Dispose() => _connection.Dispose();

    [Fact]
    public async Task ListAsync_AwkwardNames_ListsInOrdinalOrder()
    {
        var store = NewStore();
        string[] names = ["a-b", "a/x", "a b", "ü", "日本", "x#y", "q?", "%20", "a0", "a/x/y", "A", "\uE000pua", "😀", "a\u0308", "~t"];
        foreach (var name in names)
        {
            await WriteTextAsync(store, name, name);
        }

        var listed = await ListPathsAsync(store);

        Assert.Equal(names.OrderBy(n => n, StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task ListAsync_WithPrefix_ListsOnlyBelowPrefixWithRelativePaths()
    {
        var container = AzuriteFixture.NewContainerName("prefix");
        var outside = BlobObjectStore.Create(_connection, container);
        await WriteTextAsync(outside, "other/file", "x");
        await WriteTextAsync(outside, "sub-x", "x");
        var store = BlobObjectStore.Create(_connection, container, "sub/");
        await WriteTextAsync(store, "b", "x");
        await WriteTextAsync(store, "a/c", "x");

        var listed = await ListPathsAsync(store);

        Assert.Equal(["a/c", "b"], listed);
        Assert.NotNull(await outside.GetInfoAsync("sub/a/c", Ct));
    }

    [Fact]
    public async Task ListAsync_MissingContainer_ThrowsNotFoundNamingTheContainer()
    {
        var store = NewStore();

        var e = await Assert.ThrowsAsync<StorageException>(() => ListPathsAsync(store));

        Assert.Equal(StorageErrorKind.NotFound, e.Kind);
        Assert.Contains($"container '{store.ContainerName}' does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAsync_BlobNameThatIsNoRelativePath_IsListedAsSkipped()
    {
        var store = NewStore();
        await WriteTextAsync(store, "ok", "x");
        var raw = _connection.BlobService.GetBlobContainerClient(store.ContainerName).GetBlobClient("dir//double");
        await raw.UploadAsync(BinaryData.FromString("x"));

        var entries = await ListEntriesAsync(store);

        var skipped = Assert.Single(entries, e => e.Skipped is not null).Skipped!;
        Assert.Equal("dir//double", skipped.Path);
        Assert.Contains("empty path segment", skipped.Reason, StringComparison.Ordinal);
        Assert.Equal("ok", Assert.Single(entries, e => e.Object is not null).Object!.Path);
    }

    [Fact]
    public async Task WriteAsync_WithSha256_ReportsInfoFromListingAndGetInfo()
    {
        var store = NewStore();
        var bytes = Encoding.UTF8.GetBytes("hello world");
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));

        var result = await store.WriteAsync("dir/h.txt", new MemoryStream(bytes), new WriteOptions(IfNoneMatch: true, Sha256: sha), Ct);

        var listed = Assert.Single(await ListEntriesAsync(store)).Object!;
        var info = await store.GetInfoAsync("dir/h.txt", Ct);
#pragma warning disable CA5351 // The service reports Content-MD5 as an integrity check; the test compares it, not for security.
        var md5 = Convert.ToBase64String(MD5.HashData(bytes));
#pragma warning restore CA5351
        Assert.Equal(new ObjectInfo("dir/h.txt", bytes.Length, result.LastModified, result.ETag, sha, md5), listed);
        Assert.Equal(listed, info);
    }

    [Fact]
    public async Task WriteAsync_IfNoneMatchWhenExists_ThrowsPreconditionFailed()
    {
        var store = NewStore();
        await WriteTextAsync(store, "f", "first");

        var e = await Assert.ThrowsAsync<StorageException>(() => store.WriteAsync("f", Text("second"), new WriteOptions(IfNoneMatch: true), Ct));

        Assert.Equal(StorageErrorKind.PreconditionFailed, e.Kind);
        Assert.Equal("first", await ReadTextAsync(store, "f"));
    }

    [Fact]
    public async Task WriteAsync_IfMatchStale_ThrowsPreconditionFailed()
    {
        var store = NewStore();
        var first = await WriteTextAsync(store, "f", "first");
        var second = await store.WriteAsync("f", Text("second"), new WriteOptions(IfMatch: first.ETag), Ct);

        var e = await Assert.ThrowsAsync<StorageException>(() => store.WriteAsync("f", Text("third"), new WriteOptions(IfMatch: first.ETag), Ct));

        Assert.Equal(StorageErrorKind.PreconditionFailed, e.Kind);
        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal("second", await ReadTextAsync(store, "f"));
    }

    [Fact]
    public async Task WriteAsync_NonSeekableStream_WritesContent()
    {
        var store = NewStore();

        await store.WriteAsync("f", new ForwardOnlyStream(Encoding.UTF8.GetBytes("streamed")), WriteOptions.Unconditional, Ct);

        Assert.Equal("streamed", await ReadTextAsync(store, "f"));
    }

    [Theory]
    [InlineData("ends-with-dot.", "ends with '.'")]
    [InlineData("a//b", "empty path segment")]
    [InlineData("../escape", "escapes the root")]
    [InlineData("ctl\u0001name", "control character")]
    public async Task WriteAsync_NameBlobStorageCannotHold_ThrowsInvalidName(string path, string reason)
    {
        var store = NewStore();

        var e = await Assert.ThrowsAsync<StorageException>(() => store.WriteAsync(path, Text("x"), WriteOptions.Unconditional, Ct));

        Assert.Equal(StorageErrorKind.InvalidName, e.Kind);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_UnpairedSurrogate_ThrowsInvalidName()
    {
        var store = NewStore();

        var e = await Assert.ThrowsAsync<StorageException>(() => store.WriteAsync("lone\uD800surrogate", Text("x"), WriteOptions.Unconditional, Ct));

        Assert.Equal(StorageErrorKind.InvalidName, e.Kind);
        Assert.Contains("unpaired surrogate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_NameTooLongOrTooDeep_ThrowsInvalidName()
    {
        var store = NewStore();
        var tooLong = new string('n', BlobNames.MaxNameLength + 1);
        var tooDeep = string.Join('/', Enumerable.Repeat("d", BlobNames.MaxSegments + 1));

        var longError = await Assert.ThrowsAsync<StorageException>(() => store.WriteAsync(tooLong, Text("x"), WriteOptions.Unconditional, Ct));
        var deepError = await Assert.ThrowsAsync<StorageException>(() => store.WriteAsync(tooDeep, Text("x"), WriteOptions.Unconditional, Ct));

        Assert.Equal((StorageErrorKind.InvalidName, StorageErrorKind.InvalidName), (longError.Kind, deepError.Kind));
        Assert.Contains("at most 1024", longError.Message, StringComparison.Ordinal);
        Assert.Contains("more than 254 path segments", deepError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenReadAsync_Range_ReturnsExactlyThoseBytes()
    {
        var store = NewStore();
        await WriteTextAsync(store, "r", "0123456789");

        var middle = await ReadTextAsync(store, "r", 3, 4);
        var tail = await ReadTextAsync(store, "r", 7, null);

        Assert.Equal(("3456", "789"), (middle, tail));
    }

    [Fact]
    public async Task DeleteAsync_StaleIfMatch_ThrowsAndMissingBlobIsNoError()
    {
        var store = NewStore();
        var first = await WriteTextAsync(store, "d", "1");
        var second = await WriteTextAsync(store, "d", "2");

        var stale = await Assert.ThrowsAsync<StorageException>(() => store.DeleteAsync("d", new WriteOptions(IfMatch: first.ETag), Ct));
        await store.DeleteAsync("d", new WriteOptions(IfMatch: second.ETag), Ct);
        await store.DeleteAsync("d", WriteOptions.Unconditional, Ct);

        Assert.Equal(StorageErrorKind.PreconditionFailed, stale.Kind);
        Assert.Null(await store.GetInfoAsync("d", Ct));
    }

    [Fact]
    public void DisplayName_WithPrefix_NamesContainerPrefixAndAccountButNoKey()
    {
        var store = BlobObjectStore.Create(_connection, "box", "a/b");

        Assert.Equal("blob:box/a/b on devstoreaccount1", store.DisplayName);
    }

    private BlobObjectStore NewStore() => BlobObjectStore.Create(_connection, AzuriteFixture.NewContainerName("store"));

    internal static MemoryStream Text(string text) => new(Encoding.UTF8.GetBytes(text));

    internal static Task<WriteResult> WriteTextAsync(IObjectStore store, string path, string text) =>
        store.WriteAsync(path, Text(text), WriteOptions.Unconditional, Ct);

    internal static async Task<string> ReadTextAsync(IObjectStore store, string path, long offset = 0, long? length = null)
    {
        await using var stream = await store.OpenReadAsync(path, offset, length, Ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(Ct);
    }

    internal static async Task<List<ListingEntry>> ListEntriesAsync(IObjectStore store)
    {
        var entries = new List<ListingEntry>();
        await foreach (var entry in store.ListAsync(Ct))
        {
            entries.Add(entry);
        }

        return entries;
    }

    internal static async Task<List<string>> ListPathsAsync(IObjectStore store) =>
        (await ListEntriesAsync(store)).Select(e => e.Object?.Path ?? e.Skipped!.Path).ToList();

    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
