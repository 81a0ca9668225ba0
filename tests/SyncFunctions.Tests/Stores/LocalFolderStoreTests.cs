using System.Text;
using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Stores;

namespace SyncFunctions.Tests.Stores;

/// <summary>Behaviour of the local folder store beyond the shared conformance suite.</summary>
public sealed class LocalFolderStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2024, 2, 3, 4, 5, 6, TimeSpan.Zero);
    private readonly string _base = Path.Join(Path.GetTempPath(), "syncfn-local-" + Guid.NewGuid().ToString("N"));
    private readonly string _root;
    private readonly FakeTimeProvider _time = new(Now);

    public LocalFolderStoreTests()
    {
        _root = Path.Join(_base, "root");
        Directory.CreateDirectory(_root);
    }

    private LocalFolderStore Store => new(_root, _time);

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => Directory.Delete(_base, recursive: true);

    [Fact]
    public async Task ListAsync_MissingRoot_ThrowsNotFoundNamingTheFolder()
    {
        var missing = Path.Join(_base, "nope");

        var error = await Assert.ThrowsAsync<StorageException>(async () => await new LocalFolderStore(missing, _time).ListAsync(Ct).ToListAsync());

        Assert.Equal(StorageErrorKind.NotFound, error.Kind);
        Assert.Equal($"source folder {missing} does not exist", error.Message);
    }

    [Fact]
    public async Task ListAsync_NestedDirectories_YieldsGlobalOrdinalOrderOfFullPaths()
    {
        string[] files = ["a-b", "a/x", "a0", "a.b", "a/b/c", "a/-", "b", "a/x.y", "a/x-/z", "A/q", "ä", " lead"];
        foreach (var file in files)
        {
            Create(file, "x");
        }

        var listed = await Store.ListAsync(Ct).Select(e => e.Object!.Path).ToListAsync();

        Assert.Equal(files.Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task ListAsync_FileVersion_IsSizeAndUtcTicks()
    {
        Create("f", "hello");
        var mtime = new DateTime(2023, 7, 8, 9, 10, 11, DateTimeKind.Utc).AddTicks(1234567);
        File.SetLastWriteTimeUtc(Path.Join(_root, "f"), mtime);

        var info = (await Store.ListAsync(Ct).SingleAsync()).Object!;

        Assert.Equal((5L, new DateTimeOffset(mtime), $"5:{mtime.Ticks}"), (info.Size, info.LastModified, info.Version));
        Assert.Null(info.Sha256);
    }

    [Fact]
    public async Task ListAsync_InvalidNames_AreSkippedWithTheirReason()
    {
        Create("back\\slash", "x");
        Create("ctl\u0001", "x");
        Create("bad\\dir/inner", "x");
        Create("good", "x");

        var entries = await Store.ListAsync(Ct).ToListAsync();

        Assert.Equal(
            [("back\\slash", "backslash in name"), ("bad\\dir/", "backslash in name"), ("ctl\u0001", "control character in name"), ("good", null)],
            entries.Select(e => (e.Object?.Path ?? e.Skipped!.Path, e.Skipped?.Reason)));
    }

    [Fact]
    public async Task ListAsync_SymbolicLinks_DirectoriesSkippedFilesInsideFollowed()
    {
        Create("real/f", "content");
        var outside = Path.Join(_base, "outside.txt");
        await File.WriteAllTextAsync(outside, "secret", Ct);
        File.CreateSymbolicLink(Path.Join(_root, "dirlink"), Path.Join(_root, "real"));
        File.CreateSymbolicLink(Path.Join(_root, "filelink"), Path.Join(_root, "real", "f"));
        File.CreateSymbolicLink(Path.Join(_root, "outlink"), outside);
        File.CreateSymbolicLink(Path.Join(_root, "broken"), Path.Join(_root, "nowhere"));

        var entries = await Store.ListAsync(Ct).ToListAsync();

        Assert.Equal(
            [("broken", "broken symbolic link"), ("dirlink/", "symbolic link to a directory (not followed)"), ("filelink", null),
             ("outlink", "symbolic link to a file outside the folder"), ("real/f", null)],
            entries.Select(e => (e.Object?.Path ?? e.Skipped!.Path, e.Skipped?.Reason)));
        Assert.Equal(7, entries.Single(e => e.Object?.Path == "filelink").Object!.Size);
    }

    [Fact]
    public async Task ListAsync_StoreHelperFiles_AreNeverListed()
    {
        Create("d/.f.syncfn-partial", "p");
        Create("d/.f.syncfn-partial.version", "v");
        Create("d/.f.0123456789ab.syncfn-tmp", "t");
        Create("d/.hidden", "h");

        var listed = await Store.ListAsync(Ct).Select(e => e.Object!.Path).ToListAsync();

        Assert.Equal(["d/.hidden"], listed);
    }

    [Fact]
    public async Task WriteAsync_SourceLastModified_BecomesTheFileTimeAndVersion()
    {
        var time = new DateTimeOffset(2022, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(42);

        var result = await Store.WriteAsync("d/f", Text("abc"), new WriteOptions(SourceLastModified: time), Ct);

        Assert.Equal(time.UtcDateTime, File.GetLastWriteTimeUtc(Path.Join(_root, "d", "f")));
        Assert.Equal(($"3:{time.UtcTicks}", time), (result.ETag, result.LastModified));
    }

    [Fact]
    public async Task WriteAsync_NoSourceTime_UsesTheInjectedClock()
    {
        var result = await Store.WriteAsync("f", Text("abc"), new WriteOptions(), Ct);

        Assert.Equal(Now, result.LastModified);
    }

    [Fact]
    public async Task WriteAsync_ThroughSymbolicLinkOutOfTheRoot_ThrowsInvalidNameAndWritesNothing()
    {
        var elsewhere = Path.Join(_base, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        File.CreateSymbolicLink(Path.Join(_root, "escape"), elsewhere);

        var error = await Assert.ThrowsAsync<StorageException>(() => Store.WriteAsync("escape/f", Text("x"), new WriteOptions(), Ct));

        Assert.Equal(StorageErrorKind.InvalidName, error.Kind);
        Assert.Empty(Directory.GetFileSystemEntries(elsewhere));
    }

    [Fact]
    public async Task WriteAsync_ThroughSymbolicLinkInsideTheRoot_Writes()
    {
        Directory.CreateDirectory(Path.Join(_root, "target"));
        File.CreateSymbolicLink(Path.Join(_root, "inner"), Path.Join(_root, "target"));

        await Store.WriteAsync("inner/f", Text("x"), new WriteOptions(), Ct);

        Assert.Equal("x", await File.ReadAllTextAsync(Path.Join(_root, "target", "f"), Ct));
    }

    [Fact]
    public async Task WriteAsync_ReservedHelperName_ThrowsInvalidName()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => Store.WriteAsync("d/.x.syncfn-partial", Text("x"), new WriteOptions(), Ct));

        Assert.Equal(StorageErrorKind.InvalidName, error.Kind);
    }

    [Fact]
    public async Task WriteAsync_FailedCondition_LeavesNoTemporaryFile()
    {
        Create("d/f", "existing");

        await Assert.ThrowsAsync<StorageException>(() => Store.WriteAsync("d/f", Text("new"), new WriteOptions(IfNoneMatch: true), Ct));

        Assert.Equal([Path.Join(_root, "d", "f")], Directory.GetFileSystemEntries(Path.Join(_root, "d")));
    }

    [Fact]
    public async Task DeleteAsync_LastFileOfNestedDirectories_RemovesEmptyParentsButNotTheRoot()
    {
        Create("a/b/c/f", "x");
        Create("a/keep", "x");

        await Store.DeleteAsync("a/b/c/f", new WriteOptions(), Ct);

        Assert.False(Directory.Exists(Path.Join(_root, "a", "b")));
        Assert.True(File.Exists(Path.Join(_root, "a", "keep")));
        await Store.DeleteAsync("a/keep", new WriteOptions(), Ct);
        Assert.Equal([], Directory.GetFileSystemEntries(_root));
        Assert.True(Directory.Exists(_root));
    }

    [Fact]
    public async Task OpenReadAsync_RangePastTheEnd_ThrowsPermanent()
    {
        Create("f", "12345");

        var error = await Assert.ThrowsAsync<StorageException>(() => Store.OpenReadAsync("f", 3, 10, Ct));

        Assert.Equal(StorageErrorKind.Permanent, error.Kind);
    }

    [Fact]
    public async Task AppendPartialAsync_OffsetBeyondThePartial_ThrowsPermanent()
    {
        await Store.AppendPartialAsync("f", "v1", 0, Text("abc"), Ct);

        var error = await Assert.ThrowsAsync<StorageException>(() => Store.AppendPartialAsync("f", "v1", 10, Text("x"), Ct));

        Assert.Equal(StorageErrorKind.Permanent, error.Kind);
        Assert.Equal(3, await Store.GetPartialLengthAsync("f", "v1", Ct));
    }

    [Fact]
    public async Task ResumableWriter_VeryLongName_UsesAHashedPartialAndCommits()
    {
        var name = "d/" + new string('n', 250);
        await Store.AppendPartialAsync(name, "v1", 0, Text("long"), Ct);

        await Store.CommitPartialAsync(name, "v1", new WriteOptions(IfNoneMatch: true), Ct);

        Assert.Equal("long", await File.ReadAllTextAsync(Path.Join(_root, name), Ct));
        Assert.Equal([Path.Join(_root, name)], Directory.GetFileSystemEntries(Path.Join(_root, "d")));
    }

    private void Create(string relative, string content)
    {
        var full = Path.Join(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    private static MemoryStream Text(string text) => new(Encoding.UTF8.GetBytes(text));
}
