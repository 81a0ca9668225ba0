using System.Runtime.CompilerServices;

namespace SyncFunctions.Tests;

/// <summary>
/// The repository the tests were built from (the folder holding SyncFunctions.sln): golden files are read from and
/// (with SYNCFN_UPDATE_GOLDEN=1) written to the sources, never the build output. Shared by every test project.
/// </summary>
public static class SourceTree
{
    private static readonly Lazy<string> RootFolder = new(FindRoot);

    /// <summary>The repository root.</summary>
    public static string Root => RootFolder.Value;

    private static string FindRoot() =>
        FindAbove(AppContext.BaseDirectory)

        // Outputs may live outside the repository (SYNCFN_ARTIFACTS): then use where this file was compiled from.
        ?? FindAbove(Path.GetDirectoryName(SourceFile()) ?? "")
        ?? throw new InvalidOperationException($"Cannot find SyncFunctions.sln above {AppContext.BaseDirectory} or {SourceFile()}.");

    private static string? FindAbove(string start)
    {
        for (var dir = start.Length == 0 ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SyncFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private static string SourceFile([CallerFilePath] string path = "") => path;
}
