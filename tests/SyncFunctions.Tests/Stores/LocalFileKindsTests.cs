using SyncFunctions.Core.Stores;

namespace SyncFunctions.Tests.Stores;

/// <summary>The file type behind a path, read with statx(2).</summary>
public sealed class LocalFileKindsTests : IDisposable
{
    private readonly string _base = Path.Join(Path.GetTempPath(), "syncfn-kinds-" + Guid.NewGuid().ToString("N"));

    public LocalFileKindsTests() => Directory.CreateDirectory(_base);

    public void Dispose() => Directory.Delete(_base, recursive: true);

    [Fact]
    public void Of_DevNull_IsACharacterDevice()
    {
        var kind = LocalFileKinds.Of("/dev/null", followLinks: true);

        Assert.Equal(LocalFileKind.CharacterDevice, kind);
        Assert.Equal("a character device", LocalFileKinds.SpecialName(kind));
    }

    [Fact]
    public void Of_SymbolicLinkToDevNull_IsTheLinkUnlessFollowed()
    {
        var link = Path.Join(_base, "null");
        File.CreateSymbolicLink(link, "/dev/null");

        Assert.Equal(
            (LocalFileKind.SymbolicLink, LocalFileKind.CharacterDevice),
            (LocalFileKinds.Of(link, followLinks: false), LocalFileKinds.Of(link, followLinks: true)));
    }

    [Fact]
    public void Of_FilesDirectoriesPipesAndSockets_AreTold()
    {
        var file = Path.Join(_base, "f");
        File.WriteAllText(file, "x");
        var pipe = Path.Join(_base, "p");
        SpecialFiles.MakeFifo(pipe);
        var socketPath = Path.Join(_base, "s");
        using var socket = SpecialFiles.BindSocket(socketPath);

        Assert.Equal(
            [LocalFileKind.Regular, LocalFileKind.Directory, LocalFileKind.Fifo, LocalFileKind.Socket],
            new[] { file, _base, pipe, socketPath }.Select(p => LocalFileKinds.Of(p, followLinks: false)));
        Assert.Equal(
            [null, null, "a named pipe (FIFO)", "a socket"],
            new[] { LocalFileKind.Regular, LocalFileKind.Directory, LocalFileKind.Fifo, LocalFileKind.Socket }.Select(LocalFileKinds.SpecialName));
    }

    [Fact]
    public void Of_MissingPath_IsUnknown()
    {
        Assert.Equal(LocalFileKind.Unknown, LocalFileKinds.Of(Path.Join(_base, "missing"), followLinks: false));
    }
}
