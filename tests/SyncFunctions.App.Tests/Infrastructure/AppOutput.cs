using System.Text.Json;

namespace SyncFunctions.App.Tests.Infrastructure;

/// <summary>
/// The Functions app's build output (its folder is written to app-output.txt by this project's build): the files
/// the Functions SDK generated for this build, and the repository root.
/// </summary>
internal static class AppOutput
{
    /// <summary>The folder with the app's generated files.</summary>
    public static string Folder { get; } = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "app-output.txt")).Trim();

    /// <summary>The repository root (the folder holding SyncFunctions.sln).</summary>
    public static string RepoRoot => SyncFunctions.Tests.SourceTree.Root;

    public static JsonElement ReadJson(string path) => JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }).RootElement.Clone();
}
