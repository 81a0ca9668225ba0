using SyncFunctions.GraphDev.Model;

namespace SyncFunctions.GraphDev;

/// <summary>Applying one change: indexes, change log, blob references and the journal move together.</summary>
public sealed partial class GraphDevDrive
{
    private static readonly System.Buffers.SearchValues<char> InvalidNameChars = System.Buffers.SearchValues.Create("\"*:<>?/\\|");

    private static readonly HashSet<string> ReservedNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ".lock", "CON", "PRN", "AUX", "NUL", "desktop.ini",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    /// <summary>Longest name OneDrive accepts.</summary>
    internal const int MaxNameLength = 255;

    /// <summary>Longest decoded path below the root OneDrive accepts.</summary>
    internal const int MaxPathLength = 400;

    /// <summary>
    /// Stores <paramref name="next"/> (a new item, a changed item, or a tombstone) with a fresh change
    /// sequence already assigned by the caller. Must run under the lock.
    /// </summary>
    private void Commit(ItemState next, ItemState? previous, bool journal = true)
    {
        _items[next.Id] = next;
        AppendToLog(next, previous);

        if (previous is { Deleted: false, ParentId: { } oldParent } &&
            _children.TryGetValue(oldParent, out var oldSiblings) &&
            oldSiblings.TryGetValue(previous.Name, out var oldId) && oldId == previous.Id)
        {
            oldSiblings.Remove(previous.Name);
        }

        if (!next.Deleted && next.ParentId is { } parent)
        {
            if (!_children.TryGetValue(parent, out var siblings))
            {
                siblings = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                _children[parent] = siblings;
            }

            siblings[next.Name] = next.Id;
        }

        if (next.Deleted)
        {
            _children.Remove(next.Id);
        }

        if (!ReferenceEquals(next.Content, previous?.Content))
        {
            Attach(next.Content);
            Release(previous?.Content);
        }

        if (journal)
        {
            _journal?.AppendItem(next, _idCounter);
        }
    }

    private static void Attach(ContentBlob? blob)
    {
        if (blob is FileBlob file)
        {
            file.References++;
        }
    }

    private static void Release(ContentBlob? blob)
    {
        if (blob is FileBlob file && --file.References <= 0)
        {
            try
            {
                File.Delete(file.Path);
            }
            catch (IOException)
            {
                // Best effort: an open download keeps reading the unlinked file; a leftover file is harmless.
            }
        }
    }

    private ItemState NewFolder(string parentId, string name, DateTimeOffset now)
    {
        var seq = ++_seq;
        return new ItemState(NewId(), parentId, name, true, null, seq, seq, now, now, now, now, false);
    }

    private ItemState NewFile(string parentId, string name, ContentBlob blob, FileTimes? times, DateTimeOffset now)
    {
        var seq = ++_seq;
        return new ItemState(
            NewId(), parentId, name, false, blob, seq, seq, now, now, times?.Created ?? now, times?.Modified ?? now, false);
    }

    /// <summary>Throws 400 invalidRequest for names OneDrive cannot hold.</summary>
    internal static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            throw GraphDevException.Invalid($"The name must be 1..{MaxNameLength} characters.");
        }

        if (name.AsSpan().IndexOfAny(InvalidNameChars) >= 0 || name.Any(char.IsControl))
        {
            throw GraphDevException.Invalid("A name can't contain any of the following characters: \" * : < > ? / \\ |");
        }

        if (name != name.Trim() || name.EndsWith('.'))
        {
            throw GraphDevException.Invalid("A name can't start or end with a space, or end with a period.");
        }

        if (ReservedNames.Contains(name) || name.Contains("_vti_", StringComparison.OrdinalIgnoreCase))
        {
            throw GraphDevException.Invalid($"The name '{name}' is reserved.");
        }
    }

    private void ValidatePathLength(string parentId, string name)
    {
        var parentPath = PathOf(_items[parentId]);
        if (parentPath.Length + 1 + name.Length > MaxPathLength)
        {
            throw GraphDevException.Invalid($"The path must be at most {MaxPathLength} characters.");
        }
    }

    /// <summary>Enforces If-Match (eTag or cTag, or *) and If-None-Match against the current item.</summary>
    private static void CheckPreconditions(ItemState? current, string? ifMatch, string? ifNoneMatch)
    {
        if (!string.IsNullOrEmpty(ifMatch) && (current is null || !TagMatches(current, ifMatch)))
        {
            throw GraphDevException.Modified();
        }

        if (!string.IsNullOrEmpty(ifNoneMatch) && current is not null && TagMatches(current, ifNoneMatch))
        {
            throw GraphDevException.Modified();
        }
    }

    internal static bool TagMatches(ItemState item, string header)
    {
        foreach (var raw in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (raw == "*" || raw == item.ETag || raw == item.CTag)
            {
                return true;
            }
        }

        // Tags contain a comma themselves ("{id},seq"), so also compare the header as a whole.
        var whole = header.Trim();
        return whole == item.ETag || whole == item.CTag;
    }

    /// <summary>"name 1.ext", "name 2.ext", ... the first free one (OneDrive's rename behaviour).</summary>
    private string FreeName(string parentId, string name)
    {
        var stem = Path.GetFileNameWithoutExtension(name);
        var extension = Path.GetExtension(name);
        for (var i = 1; ; i++)
        {
            var candidate = $"{stem} {i}{extension}";
            if (FindChild(parentId, candidate) is null)
            {
                return candidate;
            }
        }
    }

    /// <summary>
    /// Splits <c>{base}:/a/b/name</c> into the parent folder and the name; missing folders are created
    /// when <paramref name="createFolders"/> is set, else the parent is null when it does not exist yet.
    /// </summary>
    private (ItemState? Parent, string Name) ResolveForCreate(string baseId, string relativePath, bool createFolders)
    {
        var segments = relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
        {
            throw GraphDevException.Invalid("A file name is required.");
        }

        var folder = RequireFolder(baseId);
        foreach (var segment in segments[..^1])
        {
            var next = FindChild(folder.Id, segment);
            if (next is null)
            {
                if (!createFolders)
                {
                    return (null, segments[^1]);
                }

                ValidateName(segment);
                (next, _) = CreateFolderLocked(folder, segment, ConflictBehavior.Fail);
            }
            else if (!next.IsFolder)
            {
                throw GraphDevException.NameExists(segment);
            }

            folder = next;
        }

        return (folder, segments[^1]);
    }

    private ItemState RequireFolder(string folderId)
    {
        var folder = GetLive(folderId);
        return folder.IsFolder ? folder : throw GraphDevException.Invalid("The parent item is not a folder.");
    }
}

/// <summary>Client-supplied fileSystemInfo times (either may be null: keep or default).</summary>
internal sealed record FileTimes(DateTimeOffset? Created, DateTimeOffset? Modified);
