using System.Security.Cryptography;
using System.Text;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>Temporary folders of test files, and content snapshots to compare trees byte for byte.</summary>
public sealed class TestTree : IDisposable
{
    public TestTree(string root)
    {
        Root = root;
        Directory.CreateDirectory(root);
    }

    public string Root { get; }

    public static TestTree Create(string name) =>
        new(Path.Combine(Path.GetTempPath(), "syncfn-cli-tests", $"{name}-{Guid.NewGuid():N}"));

    public string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public void Write(string relative, byte[] content)
    {
        var full = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
    }

    public void Write(string relative, string content) => Write(relative, Encoding.UTF8.GetBytes(content));

    public void Delete(string relative) => File.Delete(PathOf(relative));

    public void Move(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(PathOf(to))!);
        File.Move(PathOf(from), PathOf(to));
    }

    /// <summary>Deterministic pseudo-random bytes (seeded), so runs are reproducible.</summary>
    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Relative path ('/'-separated) to SHA-256 of every file under the root.</summary>
    public SortedDictionary<string, string> Snapshot()
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(Root))
        {
            return result;
        }

        foreach (var file in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Root, file).Replace(Path.DirectorySeparatorChar, '/');
            result[relative] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
        }

        return result;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
