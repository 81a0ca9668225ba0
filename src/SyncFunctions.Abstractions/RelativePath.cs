namespace SyncFunctions.Abstractions;

/// <summary>Validation and ordering of relative paths ('/'-separated, no leading slash).</summary>
public static class RelativePath
{
    /// <summary>The canonical order of every listing, baseline and plan.</summary>
    public static StringComparer Order => StringComparer.Ordinal;

    /// <summary>
    /// Returns null when <paramref name="path"/> is a valid relative path, else why not. Rejects empty
    /// segments, '.' and '..' (path traversal), backslashes, control characters and a leading slash.
    /// </summary>
    public static string? Validate(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "empty path";
        }

        if (path[0] == '/')
        {
            return "absolute path (leading '/')";
        }

        foreach (var c in path)
        {
            if (char.IsControl(c))
            {
                return "control character in name";
            }

            if (c == '\\')
            {
                return "backslash in name";
            }
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0)
            {
                return "empty path segment";
            }

            if (segment is "." or "..")
            {
                return "path escapes the root ('.' or '..' segment)";
            }
        }

        return null;
    }

    /// <summary>The folder that holds <paramref name="path"/>: "" for a path at the root.</summary>
    public static string Parent(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }

    /// <summary>Throws <see cref="StorageException"/> (InvalidName) when the path is not valid.</summary>
    public static string Require(string path)
    {
        var problem = Validate(path);
        return problem is null ? path : throw new StorageException(StorageErrorKind.InvalidName, $"invalid path '{path}': {problem}");
    }
}
