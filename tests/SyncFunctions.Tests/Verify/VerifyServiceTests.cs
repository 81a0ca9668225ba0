using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Stores;
using SyncFunctions.Core.Verify;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Verify;

public sealed class VerifyServiceTests : IDisposable
{
    private readonly string _root = Path.Join(Path.GetTempPath(), "syncfn-verify-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task VerifyAsync_IdenticalStores_IsClean()
    {
        var (source, destination) = (new InMemoryObjectStore(_time), new InMemoryObjectStore(_time));
        foreach (var path in new[] { "a", "a-b", "a/x", "日本" })
        {
            source.Put(path, Bytes(path));
            destination.Put(path, Bytes(path));
        }

        var report = await VerifyService.VerifyAsync(source, destination, deep: false, CancellationToken.None);

        Assert.True(report.IsClean);
        Assert.Equal((4L, 0L), (report.Compared, report.Hashed));
    }

    [Fact]
    public async Task VerifyAsync_EveryKindOfDifference_ListsEachInPathOrder()
    {
        var (source, destination) = (new InMemoryObjectStore(_time), new InMemoryObjectStore(_time));
        source.Put("missing", Bytes("m"));
        destination.Put("extra", Bytes("e"));
        source.Put("size", Bytes("12345"));
        destination.Put("size", Bytes("123"));
        source.Put("hash", Bytes("abc"));
        destination.Put("hash", Bytes("xyz"));
        source.Put("same", Bytes("same"));
        destination.Put("same", Bytes("same"));

        var report = await VerifyService.VerifyAsync(source, destination, deep: false, CancellationToken.None);

        Assert.Equal(
            [("extra", VerifyDifferenceKind.ExtraAtDestination), ("hash", VerifyDifferenceKind.HashDiffers),
             ("missing", VerifyDifferenceKind.MissingAtDestination), ("size", VerifyDifferenceKind.SizeDiffers)],
            report.Differences.Select(d => (d.Path, d.Kind)));
        Assert.Equal(3, report.Compared);
        Assert.False(report.IsClean);
    }

    [Fact]
    public async Task VerifyAsync_LocalSourceWithoutHashes_HashesByReading()
    {
        var source = LocalWith(("a/f", "content"), ("b", "other"));
        var destination = new InMemoryObjectStore(_time);
        destination.Put("a/f", Bytes("content"));
        destination.Put("b", Bytes("OTHER"));

        var report = await VerifyService.VerifyAsync(source, destination, deep: false, CancellationToken.None);

        var difference = Assert.Single(report.Differences);
        Assert.Equal(("b", VerifyDifferenceKind.HashDiffers), (difference.Path, difference.Kind));
        Assert.Equal(2, report.Hashed);
        Assert.Equal(0, destination.BodyBytesRead);
    }

    [Fact]
    public async Task VerifyAsync_DeepWithWrongMetadataHash_FindsTheDifferenceByReading()
    {
        var (source, destination) = (new InMemoryObjectStore(_time), new InMemoryObjectStore(_time));
        var lie = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Bytes("good")));
        source.Put("f", Bytes("good"));
        destination.Put("f", Bytes("bad!"), sha256: lie);

        var shallow = await VerifyService.VerifyAsync(source, destination, deep: false, CancellationToken.None);
        var deep = await VerifyService.VerifyAsync(source, destination, deep: true, CancellationToken.None);

        Assert.True(shallow.IsClean);
        Assert.Equal(VerifyDifferenceKind.HashDiffers, Assert.Single(deep.Differences).Kind);
        Assert.Equal(8, destination.BodyBytesRead + source.BodyBytesRead);
    }

    [Fact]
    public async Task VerifyAsync_UnreadableDestination_ReportsHashUnknown()
    {
        var (source, destination) = (new InMemoryObjectStore(_time), new InMemoryObjectStore(_time));
        source.Put("f", Bytes("x"), sha256: null);
        destination.Put("f", Bytes("x"));
        source.FaultInjector = (op, _) => op == InMemoryObjectStore.Ops.OpenRead ? new StorageException(StorageErrorKind.Permanent, "read denied") : null;

        var report = await VerifyService.VerifyAsync(source, destination, deep: false, CancellationToken.None);

        Assert.Equal(new VerifyDifference("f", VerifyDifferenceKind.HashUnknown, "read denied"), Assert.Single(report.Differences));
    }

    [Fact]
    public async Task VerifyAsync_SkippedSourceEntries_AreReportedAndHideWhatIsBelowThem()
    {
        var source = LocalWith(("bad\\name", "x"), ("real/f", "y"));
        File.CreateSymbolicLink(Path.Join(_root, "link"), Path.Join(_root, "real"));
        var destination = new InMemoryObjectStore(_time);
        destination.Put("link/f", Bytes("y"));
        destination.Put("real/f", Bytes("y"));

        var report = await VerifyService.VerifyAsync(source, destination, deep: false, CancellationToken.None);

        Assert.Equal(
            [("bad\\name", VerifyDifferenceKind.Skipped), ("link/", VerifyDifferenceKind.Skipped)],
            report.Differences.Select(d => (d.Path, d.Kind)));
        Assert.Equal(1, report.Compared);
    }

    private LocalFolderStore LocalWith(params (string Path, string Content)[] files)
    {
        foreach (var (path, content) in files)
        {
            var full = Path.Join(_root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }

        Directory.CreateDirectory(_root);
        return new LocalFolderStore(_root, _time);
    }

    private static byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
