namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>
/// A tree manifest, format version 1: one directory's entries, files with their chunks and directories with their
/// subtree ids.
/// </summary>
/// <remarks>
/// <para>
/// Stored as one zstd frame (<see cref="Zstd.Level"/>) of canonical JSON; the tree id is the SHA-256 of the stored
/// (compressed) bytes, like every other id. Entries are in ordinal order of their names (UTF-16 code units,
/// <see cref="string.CompareOrdinal(string, string)"/>), each name once; times are UTC with 7 fraction digits:
/// </para>
/// <code>
/// {"version":1,"entries":[
///   {"name":"a.txt","type":"file","modified":"2026-01-02T03:04:05.0000000Z","size":5000,"sha256":"&lt;hex&gt;",
///    "chunks":[{"id":"&lt;chunkId&gt;","length":4096},{"id":"&lt;chunkId&gt;","length":904}]},
///   {"name":"sub","type":"dir","modified":"2026-01-02T03:04:05.0000000Z","tree":"&lt;treeId&gt;"}]}
/// </code>
/// <para>
/// A file's size is the sum of its chunk lengths (each 1..<see cref="PackFormat.MaxChunkLength"/>); an empty file
/// has no chunks and the SHA-256 of nothing as its content hash.
/// </para>
/// </remarks>
public sealed partial record TreeManifest
{
    private readonly ValueList<TreeEntry> _entries = ValueList<TreeEntry>.Empty;

    /// <summary>A tree of these entries (in any order; kept in name order).</summary>
    public TreeManifest(IEnumerable<TreeEntry> entries) => Entries = [.. entries];

    /// <summary>The entries, in ordinal order of their names.</summary>
    public IReadOnlyList<TreeEntry> Entries
    {
        get => _entries;
        init => _entries = ValueList<TreeEntry>.Wrap([.. value.OrderBy(e => e.Name, StringComparer.Ordinal)]);
    }

    /// <summary>The entry named <paramref name="name"/>, or null.</summary>
    public TreeEntry? Find(string name)
    {
        int low = 0, high = _entries.Count - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var c = string.CompareOrdinal(_entries[middle].Name, name);
            if (c == 0)
            {
                return _entries[middle];
            }

            if (c < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return null;
    }

    /// <summary>
    /// Null when <paramref name="name"/> can name a tree entry, else what is wrong: empty, <c>.</c>, <c>..</c>, a
    /// <c>/</c>, a NUL, or an unpaired surrogate (no UTF-8 form).
    /// </summary>
    public static string? ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "an entry name is empty";
        }

        if (name is "." or "..")
        {
            return $"'{name}' is not an entry name";
        }

        if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
        {
            return $"entry name '{name.Replace("\0", "\\0", StringComparison.Ordinal)}' has a '/' or NUL";
        }

        return CanonicalJsonWriter.IsWellFormed(name) ? null : "an entry name has an unpaired surrogate";
    }

    /// <summary>Null when the tree follows the format's rules, else the first one it breaks.</summary>
    internal string? Problem()
    {
        for (var i = 0; i < _entries.Count; i++)
        {
            if (_entries[i].Problem() is { } problem)
            {
                return $"entry {i}: {problem}";
            }

            if (i > 0 && _entries[i - 1].Name == _entries[i].Name)
            {
                return $"entry name '{_entries[i].Name}' appears twice";
            }
        }

        return null;
    }
}
