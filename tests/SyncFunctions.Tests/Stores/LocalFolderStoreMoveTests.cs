using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Retry;
using SyncFunctions.Core.Stores;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Stores;

/// <summary>Renames of files and folders in a local folder (the folder-move contract itself is in the conformance suite).</summary>
public sealed class LocalFolderStoreMoveTests : IDisposable
{
    private readonly string _base = Path.Join(Path.GetTempPath(), "syncfn-move-" + Guid.NewGuid().ToString("N"));
    private readonly string _root;

    public LocalFolderStoreMoveTests()
    {
        _root = Path.Join(_base, "root");
        Directory.CreateDirectory(_root);
    }

    private LocalFolderStore Store => new(_root, new FakeTimeProvider(new DateTimeOffset(2024, 2, 3, 4, 5, 6, TimeSpan.Zero)));

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => Directory.Delete(_base, recursive: true);

    [Fact]
    public async Task MoveAsync_CurrentVersion_RenamesKeepingTheVersionAndRemovesEmptiedParents()
    {
        Create("a/b/f.txt", "content");
        var before = (await Store.GetInfoAsync("a/b/f.txt", Ct))!;

        var moved = await Store.MoveAsync("a/b/f.txt", "c/d/g.txt", new WriteOptions(IfMatch: before.Version), Ct);

        Assert.Equal(before.Version, moved.ETag);
        Assert.Equal("content", await File.ReadAllTextAsync(Path.Join(_root, "c/d/g.txt"), Ct));
        Assert.False(Directory.Exists(Path.Join(_root, "a")));
    }

    [Fact]
    public async Task MoveAsync_StaleIfMatch_ThrowsPreconditionFailedAndMovesNothing()
    {
        Create("f.txt", "content");

        var error = await Assert.ThrowsAsync<StorageException>(() => Store.MoveAsync("f.txt", "g.txt", new WriteOptions(IfMatch: "1:2"), Ct));

        Assert.Equal(StorageErrorKind.PreconditionFailed, error.Kind);
        Assert.True(File.Exists(Path.Join(_root, "f.txt")));
        Assert.False(File.Exists(Path.Join(_root, "g.txt")));
    }

    [Fact]
    public async Task MoveAsync_ConditionalOntoAnExistingFile_RefusesAndKeepsBoth()
    {
        Create("f.txt", "mine");
        Create("g.txt", "theirs");
        var version = (await Store.GetInfoAsync("f.txt", Ct))!.Version;

        var error = await Assert.ThrowsAsync<StorageException>(() => Store.MoveAsync("f.txt", "g.txt", new WriteOptions(IfMatch: version), Ct));

        Assert.Equal(StorageErrorKind.PreconditionFailed, error.Kind);
        Assert.Equal("theirs", await File.ReadAllTextAsync(Path.Join(_root, "g.txt"), Ct));
        Assert.True(File.Exists(Path.Join(_root, "f.txt")));
    }

    [Fact]
    public async Task MoveAsync_UnconditionalOntoAnExistingFile_Replaces()
    {
        Create("f.txt", "mine");
        Create("g.txt", "theirs");

        await Store.MoveAsync("f.txt", "g.txt", WriteOptions.Unconditional, Ct);

        Assert.Equal("mine", await File.ReadAllTextAsync(Path.Join(_root, "g.txt"), Ct));
        Assert.False(File.Exists(Path.Join(_root, "f.txt")));
    }

    [Theory]
    [InlineData("../outside.txt")]
    [InlineData("/absolute.txt")]
    public async Task MoveAsync_TargetOutsideTheRoot_ThrowsInvalidName(string target)
    {
        Create("f.txt", "content");

        var error = await Assert.ThrowsAsync<StorageException>(() => Store.MoveAsync("f.txt", target, WriteOptions.Unconditional, Ct));

        Assert.Equal(StorageErrorKind.InvalidName, error.Kind);
        Assert.True(File.Exists(Path.Join(_root, "f.txt")));
    }

    [Fact]
    public async Task MoveAsync_MissingSource_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => Store.MoveAsync("nope.txt", "g.txt", WriteOptions.Unconditional, Ct));

        Assert.Equal(StorageErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task MoveFolderAsync_IntoItsOwnSubfolder_ThrowsPermanentAndMovesNothing()
    {
        Create("a/f.txt", "content");

        var error = await Assert.ThrowsAsync<StorageException>(() => Store.MoveFolderAsync("a", "a/inner", Ct));

        Assert.Equal(StorageErrorKind.Permanent, error.Kind);
        Assert.True(File.Exists(Path.Join(_root, "a/f.txt")));
    }

    [Fact]
    public async Task MoveFolderAsync_LastFolderOfItsParent_RemovesTheEmptiedParent()
    {
        Create("p/q/f.txt", "content");

        await Store.MoveFolderAsync("p/q", "r", Ct);

        Assert.True(File.Exists(Path.Join(_root, "r/f.txt")));
        Assert.False(Directory.Exists(Path.Join(_root, "p")));
    }

    [Fact]
    public async Task RetryingDecorator_FolderMoveOfTheInnerStore_IsOfferedAndRetried()
    {
        Create("a/f.txt", "content");
        var faults = 1;
        var flaky = new FlakyFolderMover(Store, () => Interlocked.Decrement(ref faults) >= 0);
        var retrying = new RetryingObjectStore(flaky, new RetryPolicy(TimeProvider.System, 3, baseDelay: TimeSpan.Zero));

        await retrying.GetCapability<IServerSideFolderMove>()!.MoveFolderAsync("a", "b", Ct);

        Assert.Equal(2, flaky.Calls);
        Assert.True(File.Exists(Path.Join(_root, "b/f.txt")));
        Assert.Null(new RetryingObjectStore(new InMemoryObjectStore(), new RetryPolicy(TimeProvider.System, 3)).GetCapability<IServerSideFolderMove>());
    }

    private void Create(string relative, string content)
    {
        var full = Path.Join(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    /// <summary>A store whose folder move fails transiently while <paramref name="fail"/> says so.</summary>
    private sealed class FlakyFolderMover(LocalFolderStore inner, Func<bool> fail) : IObjectStore, IServerSideFolderMove
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public string DisplayName => inner.DisplayName;

        public IAsyncEnumerable<ListingEntry> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

        public Task<ObjectInfo?> GetInfoAsync(string path, CancellationToken cancellationToken) => inner.GetInfoAsync(path, cancellationToken);

        public Task<Stream> OpenReadAsync(string path, long offset, long? length, CancellationToken cancellationToken) => inner.OpenReadAsync(path, offset, length, cancellationToken);

        public Task<WriteResult> WriteAsync(string path, Stream content, WriteOptions options, CancellationToken cancellationToken) => inner.WriteAsync(path, content, options, cancellationToken);

        public Task DeleteAsync(string path, WriteOptions options, CancellationToken cancellationToken) => inner.DeleteAsync(path, options, cancellationToken);

        public Task MoveFolderAsync(string fromFolder, string toFolder, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return fail()
                ? throw new StorageException(StorageErrorKind.Transient, "503 from the service")
                : inner.MoveFolderAsync(fromFolder, toFolder, cancellationToken);
        }
    }
}
