using System.Text;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>
/// Rules for names Blob Storage can hold, checked before a request so a bad name fails with a clear
/// <see cref="StorageErrorKind.InvalidName"/> rather than an opaque 400.
/// </summary>
public static class BlobNames
{
    /// <summary>Longest blob name in characters.</summary>
    public const int MaxNameLength = 1024;

    /// <summary>Most '/'-separated segments in a blob name.</summary>
    public const int MaxSegments = 254;

    /// <summary>
    /// Returns null when <paramref name="blobName"/> (the full name, prefix included) can be stored, else why not.
    /// </summary>
    /// <remarks>
    /// Besides the length and segment limits: names ending in '.' are refused because the service and URL
    /// normalisers may strip the dot (Azure documents "avoid names ending with a dot"); lone surrogates cannot
    /// be encoded in UTF-8, and U+FFFE/U+FFFF cannot appear in the XML listing.
    /// </remarks>
    public static string? Validate(string blobName)
    {
        ArgumentNullException.ThrowIfNull(blobName);
        if (RelativePath.Validate(blobName) is { } problem)
        {
            return problem;
        }

        if (blobName.Length > MaxNameLength)
        {
            return $"name is {blobName.Length} characters long; Blob Storage allows at most {MaxNameLength}";
        }

        if (blobName.Count(c => c == '/') + 1 > MaxSegments)
        {
            return $"name has more than {MaxSegments} path segments";
        }

        if (blobName.EndsWith('.'))
        {
            return "name ends with '.', which Blob Storage does not keep reliably";
        }

        for (var i = 0; i < blobName.Length; i++)
        {
            var c = blobName[i];
            if (char.IsHighSurrogate(c) && i + 1 < blobName.Length && char.IsLowSurrogate(blobName[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return "name contains an unpaired surrogate (not valid Unicode)";
            }
            else if (c is '\uFFFE' or '\uFFFF')
            {
                return $"name contains the non-character U+{(int)c:X4}";
            }
        }

        return null;
    }

    /// <summary>Returns null when <paramref name="name"/> is a valid container name, else why not.</summary>
    public static string? ValidateContainer(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is < 3 or > 63)
        {
            return "container names are 3 to 63 characters long";
        }

        if (!name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            return "container names hold only lower-case letters, digits and '-'";
        }

        if (name[0] == '-' || name[^1] == '-' || name.Contains("--", StringComparison.Ordinal))
        {
            return "container names start and end with a letter or digit and have no '--'";
        }

        return null;
    }

    /// <summary>Throws <see cref="StorageException"/> (InvalidName) when the name cannot be stored.</summary>
    internal static void Require(string blobName, string path)
    {
        if (Validate(blobName) is { } problem)
        {
            throw new StorageException(StorageErrorKind.InvalidName, $"'{Printable(path)}' cannot be stored in Blob Storage: {problem}");
        }
    }

    /// <summary>Escapes control characters so a message stays one readable line.</summary>
    internal static string Printable(string path)
    {
        var sb = new StringBuilder(path.Length);
        foreach (var c in path)
        {
            if (char.IsControl(c))
            {
                sb.Append($"\\u{(int)c:X4}");
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
