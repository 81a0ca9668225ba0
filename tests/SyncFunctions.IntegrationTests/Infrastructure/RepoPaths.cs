using SyncFunctions.Tests;

namespace SyncFunctions.IntegrationTests.Infrastructure;

/// <summary>Locates the repository the tests were built from (the folder holding SyncFunctions.sln).</summary>
public static class RepoPaths
{
    /// <summary>The repository root.</summary>
    public static string RepoRoot => SourceTree.Root;

    /// <summary>tools/azurite: Azurite's package.json and lock file.</summary>
    public static string AzuriteTools => Path.Combine(RepoRoot, "tools", "azurite");
}
