using System.Security.Cryptography;
using System.Text;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Stores;

/// <summary>Path resolution, reserved names and error mapping of <see cref="LocalFolderStore"/>.</summary>
internal static class LocalPaths
{
    public const string PartialSuffix = ".syncfn-partial";
    public const string VersionSuffix = ".syncfn-partial.version";
    public const string TempSuffix = ".syncfn-tmp";

    // Names longer than this get hashed helper-file names, so ".<name>.syncfn-partial.version" still fits NAME_MAX (255 bytes).
    private const int MaxPlainNameBytes = 200;

    /// <summary>True for this store's own partial, sidecar and temporary files, which listings never show.</summary>
    public static bool IsStoreFile(string name) =>
        name.StartsWith('.') && (name.EndsWith(PartialSuffix, StringComparison.Ordinal)
            || name.EndsWith(VersionSuffix, StringComparison.Ordinal)
            || name.EndsWith(TempSuffix, StringComparison.Ordinal));

    /// <summary>The partial file and its version sidecar for a target file.</summary>
    public static (string Partial, string Sidecar) PartialFiles(string fullPath)
    {
        var dir = Path.GetDirectoryName(fullPath)!;
        var partial = Path.Join(dir, "." + HelperName(Path.GetFileName(fullPath)) + PartialSuffix);
        return (partial, partial + ".version");
    }

    /// <summary>A fresh temporary file next to the target.</summary>
    public static string TempFile(string fullPath) =>
        Path.Join(Path.GetDirectoryName(fullPath)!, "." + HelperName(Path.GetFileName(fullPath)) + "." + Guid.NewGuid().ToString("N")[..12] + TempSuffix);

    /// <summary>True when <paramref name="candidate"/> is <paramref name="root"/> or below it (both absolute, real paths).</summary>
    public static bool IsUnder(string root, string candidate) =>
        candidate == root || candidate.StartsWith(root.EndsWith('/') ? root : root + "/", StringComparison.Ordinal);

    /// <summary>
    /// The path with every symbolic link resolved (like realpath(3)); components that do not exist are kept as they are.
    /// </summary>
    public static string RealPath(string absolute, int depth = 0)
    {
        if (depth > 40)
        {
            throw new StorageException(StorageErrorKind.InvalidName, $"too many levels of symbolic links at '{absolute}'");
        }

        var current = Path.GetPathRoot(absolute) ?? "/";
        foreach (var part in absolute[current.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Join(current, part);
            var target = LinkTarget(next);
            current = target is null ? next : RealPath(Path.GetFullPath(target, current), depth + 1);
        }

        return current;
    }

    /// <summary>The link's target text, or null when the path is not a link (or does not exist).</summary>
    public static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Maps a file-system exception to the one storage exception type, once.</summary>
    public static StorageException Map(Exception e, string display, string path) => e switch
    {
        StorageException s => s,
        FileNotFoundException or DirectoryNotFoundException =>
            new StorageException(StorageErrorKind.NotFound, $"{display}: '{path}' not found", e),
        UnauthorizedAccessException =>
            new StorageException(StorageErrorKind.Permanent, $"{display}: '{path}': permission denied", e),
        PathTooLongException =>
            new StorageException(StorageErrorKind.InvalidName, $"{display}: '{path}': name too long", e),
        _ => new StorageException(StorageErrorKind.Permanent, $"{display}: '{path}': {e.Message}", e),
    };

    /// <summary>True for the exceptions <see cref="Map"/> handles.</summary>
    public static bool IsFileSystemError(Exception e) => e is IOException or UnauthorizedAccessException;

    private static string HelperName(string name) =>
        Encoding.UTF8.GetByteCount(name) <= MaxPlainNameBytes
            ? name
            : "syncfn-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..32];
}
