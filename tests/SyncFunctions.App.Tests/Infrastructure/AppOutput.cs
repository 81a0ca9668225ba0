using System.Runtime.CompilerServices;
using System.Text.Json;

namespace SyncFunctions.App.Tests.Infrastructure;

/// <summary>
/// The Functions app's build output (its folder is written to app-output.txt by this project's build): the files
/// the Functions SDK generated for this build, and the repository root.
/// </summary>
internal static class AppOutput
{
    private static readonly Lazy<string> Root = new(() => FindAbove(AppContext.BaseDirectory) ?? FindAbove(Path.GetDirectoryName(SourceFile()) ?? "")
        ?? throw new InvalidOperationException($"Cannot find SyncFunctions.sln above {AppContext.BaseDirectory}."));

    /// <summary>The folder with the app's generated files.</summary>
    public static string Folder { get; } = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "app-output.txt")).Trim();

    /// <summary>The repository root (the folder holding SyncFunctions.sln).</summary>
    public static string RepoRoot => Root.Value;

    public static JsonElement ReadJson(string path) => JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }).RootElement.Clone();

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
