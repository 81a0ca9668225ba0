using System.Runtime.InteropServices;
using System.Text;

namespace SyncFunctions.Core.Stores;

/// <summary>What a directory entry is, as far as the local folder store cares.</summary>
internal enum LocalFileKind
{
    /// <summary>The type could not be read (no statx, not Linux, or the call failed): treated as a regular file.</summary>
    Unknown,
    Regular,
    Directory,
    SymbolicLink,
    Fifo,
    Socket,
    CharacterDevice,
    BlockDevice,
}

/// <summary>
/// The file type of a path, which <see cref="FileSystemInfo"/> does not expose: a named pipe, a socket
/// or a device file looks like a regular file there, and opening a named pipe blocks until a writer
/// comes, beyond the reach of any cancellation token.
/// </summary>
/// <remarks>
/// Linux only, through statx(2) asking for the type alone. Where statx is missing (another OS, a
/// C library without it, a kernel older than 4.11) every path is <see cref="LocalFileKind.Unknown"/>,
/// which callers treat as a regular file: special files are then not recognised, as before.
/// Thread-safe.
/// </remarks>
internal static class LocalFileKinds
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int StatxSize = 256;
    private const int StatxMaskOffset = 0;
    private const int StatxModeOffset = 28;
    private const int Enosys = 38;

    private const int TypeMask = 0xF000;
    private const int Fifo = 0x1000;
    private const int CharacterDevice = 0x2000;
    private const int Directory = 0x4000;
    private const int BlockDevice = 0x6000;
    private const int Regular = 0x8000;
    private const int SymbolicLink = 0xA000;
    private const int Socket = 0xC000;

    // Set once statx turns out to be missing, so the fallback costs no exception per file.
    private static volatile bool s_unavailable = !OperatingSystem.IsLinux();

    /// <summary>
    /// The type of <paramref name="path"/>; of the link itself when <paramref name="followLinks"/> is false,
    /// else of what it finally points to.
    /// </summary>
    public static LocalFileKind Of(string path, bool followLinks)
    {
        if (s_unavailable)
        {
            return LocalFileKind.Unknown;
        }

        var buffer = new byte[StatxSize];
        try
        {
            if (Statx(AtFdCwd, NullTerminatedUtf8(path), followLinks ? 0 : AtSymlinkNoFollow, StatxType, buffer) != 0)
            {
                if (Marshal.GetLastPInvokeError() == Enosys)
                {
                    s_unavailable = true;
                }

                return LocalFileKind.Unknown;
            }
        }
        catch (EntryPointNotFoundException)
        {
            s_unavailable = true;
            return LocalFileKind.Unknown;
        }
        catch (DllNotFoundException)
        {
            s_unavailable = true;
            return LocalFileKind.Unknown;
        }

        // struct statx is laid out alike on every architecture, its fields in native byte order.
        if ((MemoryMarshal.Read<uint>(buffer.AsSpan(StatxMaskOffset)) & StatxType) == 0)
        {
            return LocalFileKind.Unknown;
        }

        var mode = MemoryMarshal.Read<ushort>(buffer.AsSpan(StatxModeOffset));
        return (mode & TypeMask) switch
        {
            Regular => LocalFileKind.Regular,
            Directory => LocalFileKind.Directory,
            SymbolicLink => LocalFileKind.SymbolicLink,
            Fifo => LocalFileKind.Fifo,
            Socket => LocalFileKind.Socket,
            CharacterDevice => LocalFileKind.CharacterDevice,
            BlockDevice => LocalFileKind.BlockDevice,
            _ => LocalFileKind.Unknown,
        };
    }

    /// <summary>
    /// What a special file is ("a named pipe (FIFO)"), or null for the kinds that are read as files or
    /// walked as directories.
    /// </summary>
    public static string? SpecialName(LocalFileKind kind) => kind switch
    {
        LocalFileKind.Fifo => "a named pipe (FIFO)",
        LocalFileKind.Socket => "a socket",
        LocalFileKind.CharacterDevice => "a character device",
        LocalFileKind.BlockDevice => "a block device",
        _ => null,
    };

    private static byte[] NullTerminatedUtf8(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int dirFd, byte[] path, int flags, uint mask, [Out] byte[] buffer);
}
