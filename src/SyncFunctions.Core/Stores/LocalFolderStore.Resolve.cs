using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Stores;

/// <summary>Resolving relative paths under the root without escaping it.</summary>
public sealed partial class LocalFolderStore
{
    /// <summary>The root with its symbolic links resolved (cached once the root exists).</summary>
    private string RealRoot
    {
        get
        {
            if (_realRoot is not null)
            {
                return _realRoot;
            }

            var real = LocalPaths.RealPath(_root);
            if (Directory.Exists(_root))
            {
                _realRoot = real;
            }

            return real;
        }
    }

    /// <summary>
    /// Validates <paramref name="path"/> and returns its absolute location, rejecting any path that a
    /// symbolic link inside the root leads outside of it.
    /// </summary>
    private string Resolve(string path)
    {
        RelativePath.Require(path);
        var current = _root;
        foreach (var segment in path.Split('/'))
        {
            current = Path.Join(current, segment);
            if (LocalPaths.LinkTarget(current) is not null && !LocalPaths.IsUnder(RealRoot, LocalPaths.RealPath(current)))
            {
                throw new StorageException(StorageErrorKind.InvalidName, $"{DisplayName}: '{path}' leads outside the folder through a symbolic link");
            }
        }

        return current;
    }

    /// <summary>Like <see cref="Resolve"/>, and rejects names this store reserves for its own helper files.</summary>
    private string ResolveForWrite(string path)
    {
        var full = Resolve(path);
        if (LocalPaths.IsStoreFile(Path.GetFileName(full)))
        {
            throw new StorageException(StorageErrorKind.InvalidName, $"{DisplayName}: '{path}': the name is reserved for partial and temporary files");
        }

        return full;
    }
}
