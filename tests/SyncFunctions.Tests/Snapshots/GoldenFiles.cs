
namespace SyncFunctions.Tests.Snapshots;

/// <summary>
/// The golden files of the snapshot repository formats, in tests/SyncFunctions.Tests/Snapshots/Golden of the
/// repository the tests were built from. Set SYNCFN_UPDATE_GOLDEN=1 to rewrite them after a deliberate change.
/// </summary>
internal static class GoldenFiles
{
    public static string Folder => Path.Combine(SourceTree.Root, "tests", "SyncFunctions.Tests", "Snapshots", "Golden");

    public static bool Updating => Environment.GetEnvironmentVariable("SYNCFN_UPDATE_GOLDEN") == "1";

    /// <summary>Writes every golden file once per test run (so any test may read any file first).</summary>
    private static readonly Lazy<bool> Written = new(() =>
    {
        Directory.CreateDirectory(Folder);
        foreach (var (file, bytes) in FormatExamples.GoldenBytes())
        {
            File.WriteAllBytes(Path.Combine(Folder, file), bytes);
        }

        return true;
    });

    /// <summary>The golden file's bytes; when updating, every golden file is first rewritten from the examples.</summary>
    public static byte[] Read(string file)
    {
        if (Updating)
        {
            _ = Written.Value;
        }

        var path = Path.Combine(Folder, file);
        Assert.True(File.Exists(path), $"Golden file {path} is missing; run with SYNCFN_UPDATE_GOLDEN=1 to create it.");
        return File.ReadAllBytes(path);
    }
}
