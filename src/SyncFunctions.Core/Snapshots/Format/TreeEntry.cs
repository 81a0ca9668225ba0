namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>What a tree entry is.</summary>
public enum TreeEntryKind
{
    /// <summary>A file: its content is a list of chunks.</summary>
    File,

    /// <summary>A directory: its content is another tree.</summary>
    Directory,
}

/// <summary>One chunk of a file, in file order.</summary>
/// <param name="Id">The chunk's id (the SHA-256 of its bytes).</param>
/// <param name="Length">Its length, so a reader can seek: chunk k starts at the sum of the lengths before it.</param>
public readonly record struct ChunkRef(ObjectId Id, int Length);

/// <summary>One entry of a <see cref="TreeManifest"/>: a file or a directory. Made by <see cref="File"/> or <see cref="Directory"/>.</summary>
public sealed record TreeEntry
{
    private readonly ValueList<ChunkRef> _chunks = ValueList<ChunkRef>.Empty;
    private readonly long _size;

    private TreeEntry(string name, TreeEntryKind kind, DateTimeOffset modified)
    {
        Name = name;
        Kind = kind;
        Modified = modified;
    }

    /// <summary>The content hash of an empty file: the SHA-256 of nothing.</summary>
    public static readonly ObjectId EmptyContentHash = ObjectId.Of([]);

    /// <summary>The entry's name within its directory (<see cref="TreeManifest.ValidateName"/>).</summary>
    public string Name { get; init; }

    /// <summary>File or directory.</summary>
    public TreeEntryKind Kind { get; init; }

    /// <summary>The last-modified time (stored in UTC, to the tick).</summary>
    public DateTimeOffset Modified { get; init; }

    /// <summary>A file's length: the sum of its chunks' lengths; 0 for a directory.</summary>
    public long Size => _size;

    /// <summary>A file's SHA-256 (of its whole content); null for a directory.</summary>
    public ObjectId? ContentHash { get; init; }

    /// <summary>A file's chunks, in order (none for an empty file or a directory).</summary>
    public IReadOnlyList<ChunkRef> Chunks
    {
        get => _chunks;
        init
        {
            _chunks = ValueList<ChunkRef>.From(value);
            _size = _chunks.Sum(c => (long)c.Length);
        }
    }

    /// <summary>A directory's tree id; null for a file.</summary>
    public ObjectId? Subtree { get; init; }

    /// <summary>A file entry.</summary>
    public static TreeEntry File(string name, DateTimeOffset modified, ObjectId contentHash, IEnumerable<ChunkRef> chunks) =>
        new(name, TreeEntryKind.File, modified) { ContentHash = contentHash, Chunks = [.. chunks] };

    /// <summary>A directory entry.</summary>
    public static TreeEntry Directory(string name, DateTimeOffset modified, ObjectId subtree) =>
        new(name, TreeEntryKind.Directory, modified) { Subtree = subtree };

    /// <summary>Null when the entry follows the format's rules, else the first one it breaks.</summary>
    internal string? Problem()
    {
        if (TreeManifest.ValidateName(Name) is { } nameProblem)
        {
            return nameProblem;
        }

        switch (Kind)
        {
            case TreeEntryKind.File:
                if (ContentHash is null || Subtree is not null)
                {
                    return "a file has a content hash and no subtree";
                }

                if (_chunks.Count == 0 && ContentHash != EmptyContentHash)
                {
                    return "an empty file's content hash is not the SHA-256 of nothing";
                }

                foreach (var chunk in _chunks)
                {
                    if (chunk.Length is < 1 or > PackFormat.MaxChunkLength)
                    {
                        return $"chunk {chunk.Id} has length {chunk.Length}, outside 1..{PackFormat.MaxChunkLength}";
                    }
                }

                return null;
            case TreeEntryKind.Directory:
                return Subtree is null || ContentHash is not null || _chunks.Count > 0
                    ? "a directory has a subtree and no content hash or chunks"
                    : null;
            default:
                return $"unknown kind {Kind}";
        }
    }
}
