using System.Net.Http;
using System.Text;
using SyncFunctions.Abstractions;
using SyncFunctions.Azure;
using SyncFunctions.IntegrationTests.Infrastructure;
using static SyncFunctions.IntegrationTests.Azure.BlobObjectStoreTests;

namespace SyncFunctions.IntegrationTests.Azure;

/// <summary>Staged blocks, read URLs and server-side copy on Azurite.</summary>
[Collection("azurite")]
public sealed class BlobObjectStoreWriterTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly AzureStorageConnection _connection = azurite.Connect();

    public void Dispose() => _connection.Dispose();

    [Fact]
    public async Task StageChunkAsync_BeforeCommit_ListsUncommittedThenCommitJoinsThemInOrder()
    {
        var store = NewStore();
        var ids = new[] { BlockId(0), BlockId(1), BlockId(2) };
        await store.StageChunkAsync("big/file", ids[1], Text("BBB"), Ct);
        await store.StageChunkAsync("big/file", ids[0], Text("AAA"), Ct);
        await store.StageChunkAsync("big/file", ids[2], Text("CC"), Ct);

        var staged = await store.GetStagedChunksAsync("big/file", Ct);
        var before = await store.GetInfoAsync("big/file", Ct);
        var result = await store.CommitChunksAsync("big/file", ids, new WriteOptions(IfNoneMatch: true, Sha256: "abc"), Ct);

        Assert.Equal(ids.Order(StringComparer.Ordinal), staged.Order(StringComparer.Ordinal));
        Assert.Null(before);
        Assert.Equal("AAABBBCC", await ReadTextAsync(store, "big/file"));
        var info = await store.GetInfoAsync("big/file", Ct);
        Assert.Equal((result.ETag, "abc", 8L), (info!.Version, info.Sha256, info.Size));
        Assert.Empty(await store.GetStagedChunksAsync("big/file", Ct));
    }

    [Fact]
    public async Task GetStagedChunksAsync_NothingThere_IsEmpty()
    {
        var store = NewStore();

        Assert.Empty(await store.GetStagedChunksAsync("nothing", Ct));
    }

    [Fact]
    public async Task CommitChunksAsync_StaleIfMatch_ThrowsPreconditionFailedAndKeepsContent()
    {
        var store = NewStore();
        var first = await WriteTextAsync(store, "f", "old");
        await WriteTextAsync(store, "f", "changed by someone else");
        await store.StageChunkAsync("f", BlockId(0), Text("new"), Ct);

        var e = await Assert.ThrowsAsync<StorageException>(
            () => store.CommitChunksAsync("f", [BlockId(0)], new WriteOptions(IfMatch: first.ETag), Ct));

        Assert.Equal(StorageErrorKind.PreconditionFailed, e.Kind);
        Assert.Equal("changed by someone else", await ReadTextAsync(store, "f"));
    }

    [Fact]
    public async Task GetReadUrlAsync_WithAccountKey_GivesUrlThatReadsTheBlob()
    {
        var store = NewStore();
        await WriteTextAsync(store, "dir/a b.txt", "readable");
        using var http = new HttpClient();

        var url = await store.GetReadUrlAsync("dir/a b.txt", TimeSpan.FromMinutes(5), Ct);
        var body = await http.GetStringAsync(url, Ct);

        Assert.True(store.CanProvideReadUrls);
        Assert.Equal("readable", body);
    }

    [Fact]
    public async Task CopyFromUrlAsync_OtherContainer_CopiesContentAndSetsSha256Metadata()
    {
        var source = NewStore();
        var destination = NewStore();
        await source.WriteAsync("src.txt", Text("copied server-side"), new WriteOptions(Sha256: "source-sha"), Ct);
        var url = await source.GetReadUrlAsync("src.txt", TimeSpan.FromMinutes(5), Ct);

        var result = await destination.CopyFromUrlAsync("dst/copy.txt", url, new WriteOptions(IfNoneMatch: true, Sha256: "source-sha"), Ct);

        var info = await destination.GetInfoAsync("dst/copy.txt", Ct);
        Assert.Equal((result.ETag, "source-sha", 18L), (info!.Version, info.Sha256, info.Size));
        Assert.Equal("copied server-side", await ReadTextAsync(destination, "dst/copy.txt"));
    }

    [Fact]
    public async Task CopyFromUrlAsync_IfNoneMatchWhenExists_ThrowsPreconditionFailed()
    {
        var source = NewStore();
        var destination = NewStore();
        await WriteTextAsync(source, "s", "new");
        await WriteTextAsync(destination, "d", "existing");
        var url = await source.GetReadUrlAsync("s", TimeSpan.FromMinutes(5), Ct);

        var e = await Assert.ThrowsAsync<StorageException>(() => destination.CopyFromUrlAsync("d", url, new WriteOptions(IfNoneMatch: true), Ct));

        Assert.Equal(StorageErrorKind.PreconditionFailed, e.Kind);
        Assert.Equal("existing", await ReadTextAsync(destination, "d"));
    }

    [Fact]
    public async Task StageChunkFromUrlAsync_Ranges_CommitReassemblesSource()
    {
        var source = NewStore();
        var destination = NewStore();
        var content = string.Concat(Enumerable.Range(0, 1000).Select(i => (char)('a' + (i % 26))));
        await WriteTextAsync(source, "large", content);
        var url = await source.GetReadUrlAsync("large", TimeSpan.FromMinutes(5), Ct);

        await destination.StageChunkFromUrlAsync("large", BlockId(1), url, 400, 600, Ct);
        await destination.StageChunkFromUrlAsync("large", BlockId(0), url, 0, 400, Ct);
        var staged = await destination.GetStagedChunksAsync("large", Ct);
        await destination.CommitChunksAsync("large", [BlockId(0), BlockId(1)], new WriteOptions(IfNoneMatch: true), Ct);

        Assert.Equal(2, staged.Count);
        Assert.Equal(content, await ReadTextAsync(destination, "large"));
    }

    [Fact]
    public async Task WriteAsync_MissingDestinationContainer_CreatesIt()
    {
        var store = NewStore();

        await WriteTextAsync(store, "first", "x");

        Assert.Equal(["first"], await ListPathsAsync(store));
    }

    [Fact]
    public void Limits_AreTheServiceLimits()
    {
        var store = NewStore();

        Assert.Equal((4000L * 1024 * 1024, 50_000, 256L * 1024 * 1024), (store.MaxChunkSize, store.MaxChunkCount, store.MaxSingleCopySize));
    }

    private BlobObjectStore NewStore() => BlobObjectStore.Create(_connection, AzuriteFixture.NewContainerName("writer"));

    private static string BlockId(int index) => Convert.ToBase64String(Encoding.ASCII.GetBytes($"block-{index:D6}"));
}
