using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace SyncFunctions.Tests.Stores;

/// <summary>Creates the special files a local source must skip: named pipes and Unix domain sockets.</summary>
public static class SpecialFiles
{
    /// <summary>
    /// mkfifo(3) with the given permission bits (less the umask); without other-read, a readability probe
    /// would have to open it to find out.
    /// </summary>
    public static void MakeFifo(string path, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead)
    {
        if (MkFifo(Encoding.UTF8.GetBytes(path + "\0"), (uint)mode) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"mkfifo {path}");
        }
    }

    /// <summary>A listening Unix domain socket bound at <paramref name="path"/>; disposing it leaves the socket file behind.</summary>
    public static Socket BindSocket(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            socket.Listen();
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo(byte[] path, uint mode);
}
