using System.Runtime.CompilerServices;

namespace SyncFunctions.IntegrationTests.Infrastructure;

/// <summary>Locates the repository the tests were built from (the folder holding SyncFunctions.sln).</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The repository root.</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>tools/azurite: Azurite's package.json and lock file.</summary>
    public static string AzuriteTools => Path.Combine(RepoRoot, "tools", "azurite");

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
