using System.Runtime.InteropServices;

namespace SyncFunctions.Cli.Hosting;

/// <summary>POSIX calls .NET does not expose: sending a chosen signal to a process or process group.</summary>
internal static partial class NativeMethods
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    /// <summary>kill(2): a negative pid signals the whole process group. Returns false when no such process.</summary>
    public static bool SendSignal(int pid, int signal) => !OperatingSystem.IsWindows() && Kill(pid, signal) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
