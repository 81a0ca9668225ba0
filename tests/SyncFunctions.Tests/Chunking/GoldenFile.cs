namespace SyncFunctions.Tests.Chunking;

/// <summary>
/// The golden files beside these tests' sources (tests/SyncFunctions.Tests/Chunking/Golden), read from the repository
/// rather than the build output so SYNCFN_UPDATE_GOLDEN=1 rewrites the committed file.
/// </summary>
internal static class GoldenFile
{
    private static readonly Lazy<string> Folder = new(() => Path.Combine(
        SourceTree.Root,
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
}
