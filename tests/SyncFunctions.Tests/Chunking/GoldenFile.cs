using System.Runtime.CompilerServices;

namespace SyncFunctions.Tests.Chunking;

/// <summary>
/// The golden files beside these tests' sources (tests/SyncFunctions.Tests/Chunking/Golden), read from the repository
/// rather than the build output so SYNCFN_UPDATE_GOLDEN=1 rewrites the committed file.
/// </summary>
internal static class GoldenFile
{
    private static readonly Lazy<string> Folder = new(() => Path.Combine(
        FindRepoRoot(AppContext.BaseDirectory)

        // Outputs may live outside the repository (SYNCFN_ARTIFACTS): then use where this file was compiled from.
        ?? FindRepoRoot(Path.GetDirectoryName(SourceFile()) ?? "")
        ?? throw new InvalidOperationException($"Cannot find SyncFunctions.sln above {AppContext.BaseDirectory} or {SourceFile()}."),
        "tests",
        "SyncFunctions.Tests",
        "Chunking",
        "Golden"));

    /// <summary>
    /// Asserts that the golden file <paramref name="name"/> holds <paramref name="actual"/>; with SYNCFN_UPDATE_GOLDEN=1
    /// it writes <paramref name="actual"/> there first.
    /// </summary>
    public static void AssertMatches(string name, string actual)
    {
        var path = Path.Combine(Folder.Value, name);
        if (Environment.GetEnvironmentVariable("SYNCFN_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"Golden file {path} is missing; run with SYNCFN_UPDATE_GOLDEN=1 to create it.");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }

    private static string? FindRepoRoot(string start)
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
