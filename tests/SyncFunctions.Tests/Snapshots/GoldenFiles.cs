using System.Runtime.CompilerServices;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>
/// The golden files of the snapshot repository formats, in tests/SyncFunctions.Tests/Snapshots/Golden of the
/// repository the tests were built from. Set SYNCFN_UPDATE_GOLDEN=1 to rewrite them after a deliberate change.
/// </summary>
internal static class GoldenFiles
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string Folder => Path.Combine(Root.Value, "tests", "SyncFunctions.Tests", "Snapshots", "Golden");

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
