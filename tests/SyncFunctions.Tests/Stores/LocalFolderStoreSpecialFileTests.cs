using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Stores;

namespace SyncFunctions.Tests.Stores;

/// <summary>
/// Named pipes, sockets and device files in a local source: skipped in listings, refused by reads, never
/// opened. Every call runs under a 30 s guard, so a regression that blocks in open(2) fails instead of hanging.
/// </summary>
public sealed class LocalFolderStoreSpecialFileTests : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private readonly string _base = Path.Join(Path.GetTempPath(), "syncfn-special-" + Guid.NewGuid().ToString("N"));
    private readonly string _root;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 2, 3, 4, 5, 6, TimeSpan.Zero));

    public LocalFolderStoreSpecialFileTests()
    {
        _root = Path.Join(_base, "root");
        Directory.CreateDirectory(_root);
    }

    private LocalFolderStore Store => new(_root, _time);

    public void Dispose() => Directory.Delete(_base, recursive: true);

    [Fact]
    public async Task ListAsync_FifoAndSocket_AreSkippedWithTheirReasonAndFilesListed()
    {
        File.WriteAllText(Path.Join(_root, "a.txt"), "a");
        File.WriteAllText(Path.Join(_root, "z.txt"), "z");
        SpecialFiles.MakeFifo(Path.Join(_root, "pipe"));
        // Not readable by others: the listing's readability probe must not open it either.
        SpecialFiles.MakeFifo(Path.Join(_root, "private-pipe"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var socket = SpecialFiles.BindSocket(Path.Join(_root, "sock"));

        var entries = await ListAsync();

        Assert.Equal(
            [("a.txt", null), ("pipe", "a named pipe (FIFO), not a file"), ("private-pipe", "a named pipe (FIFO), not a file"),
             ("sock", "a socket, not a file"), ("z.txt", null)],
            entries.Select(e => (e.Object?.Path ?? e.Skipped!.Path, e.Skipped?.Reason)));
    }

    [Fact]
    public async Task ListAsync_SymbolicLinkToFifoInsideTheFolder_IsSkippedWithTheReason()
    {
        Directory.CreateDirectory(Path.Join(_root, "d"));
        SpecialFiles.MakeFifo(Path.Join(_root, "d", "pipe"));
        File.CreateSymbolicLink(Path.Join(_root, "link"), Path.Join(_root, "d", "pipe"));

        var entries = await ListAsync();

        Assert.Equal(
            [("d/pipe", "a named pipe (FIFO), not a file"), ("link", "symbolic link to a named pipe (FIFO), not a file")],
            entries.Select(e => (e.Object?.Path ?? e.Skipped!.Path, e.Skipped?.Reason)));
    }

    [Fact]
    public async Task OpenReadAsync_Fifo_ThrowsPermanentWithoutOpeningIt()
    {
        SpecialFiles.MakeFifo(Path.Join(_root, "pipe"));

        var error = await Assert.ThrowsAsync<StorageException>(() => OpenReadAsync("pipe"));

        Assert.Equal(StorageErrorKind.Permanent, error.Kind);
        Assert.Equal($"local:{_root}: 'pipe' is a named pipe (FIFO), not a file", error.Message);
    }

    [Fact]
    public async Task OpenReadAsync_FileReplacedByFifoAfterListing_ThrowsPermanent()
    {
        var full = Path.Join(_root, "f");
        File.WriteAllText(full, "content");
        var listed = await ListAsync();
        File.Delete(full);
        SpecialFiles.MakeFifo(full);

        var error = await Assert.ThrowsAsync<StorageException>(() => OpenReadAsync("f"));

        Assert.Equal("f", Assert.Single(listed).Object!.Path);
        Assert.Equal(StorageErrorKind.Permanent, error.Kind);
    }

    [Fact]
    public async Task OpenReadAsync_SymbolicLinkToSocket_ThrowsPermanent()
    {
        using var socket = SpecialFiles.BindSocket(Path.Join(_root, "sock"));
        File.CreateSymbolicLink(Path.Join(_root, "link"), Path.Join(_root, "sock"));

        var error = await Assert.ThrowsAsync<StorageException>(() => OpenReadAsync("link"));

        Assert.Equal(StorageErrorKind.Permanent, error.Kind);
        Assert.Equal($"local:{_root}: 'link' is a socket, not a file", error.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(3L)]
    public async Task ReadAsync_CancelledToken_ThrowsOperationCanceled(long? length)
    {
        File.WriteAllText(Path.Join(_root, "f"), "content");
        await using var stream = await Store.OpenReadAsync("f", 0, length, CancellationToken.None);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ReadAsync(new byte[16], cancelled.Token).AsTask().WaitAsync(Guard));
    }

    [Fact]
    public async Task OpenReadAsync_CancelledToken_ThrowsOperationCanceled()
    {
        File.WriteAllText(Path.Join(_root, "f"), "content");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.OpenReadAsync("f", 0, null, cancelled.Token));
    }

    private Task<List<ListingEntry>> ListAsync() => Store.ListAsync(CancellationToken.None).ToListAsync().AsTask().WaitAsync(Guard);

    // On a thread of its own: a regression would block the synchronous part of the call in open(2).
    private Task<Stream> OpenReadAsync(string path) => Task.Run(() => Store.OpenReadAsync(path, 0, null, CancellationToken.None)).WaitAsync(Guard);
}
