namespace SyncFunctions.Abstractions;

/// <summary>
/// One item as a change feed (Graph delta) reports it. A feed may report an item several times (the last
/// report wins), parents after children, and deletions without names.
/// </summary>
public sealed record ChangeItem
{
    public required string ItemId { get; init; }

    /// <summary>Parent item id; null for the root.</summary>
    public string? ParentId { get; init; }

    /// <summary>The item's name as the user knows it (any reversible name mapping of the store undone); null on deletions.</summary>
    public string? Name { get; init; }
    public bool IsFolder { get; init; }
    public bool IsRoot { get; init; }
    public bool IsDeleted { get; init; }
    public long Size { get; init; }
    public DateTimeOffset LastModified { get; init; }

    /// <summary>Changes on any change (also renames).</summary>
    public string? ETag { get; init; }

    /// <summary>Changes only when the content changes.</summary>
    public string? CTag { get; init; }
    public string? QuickXorHash { get; init; }

    /// <summary>Lower-case hex SHA-256 when the service provides one.</summary>
    public string? Sha256 { get; init; }
    public string? Sha1 { get; init; }
}

/// <summary>One page of a change feed.</summary>
/// <param name="Items">The page's items in feed order.</param>
/// <param name="NextLink">Where the next page of this enumeration is; null on the last page.</param>
/// <param name="DeltaLink">On the last page: the cursor for the next run's changes.</param>
public sealed record ChangePage(IReadOnlyList<ChangeItem> Items, string? NextLink, string? DeltaLink);

/// <summary>
/// Capability of a source that reports changes since a cursor (Graph delta), so an incremental run reads
/// only what changed. Paths come from the item-id tree the ledger keeps, not from the feed.
/// </summary>
/// <remarks>Thread-safe. A cursor the service no longer knows throws <see cref="StorageException"/> with
/// <see cref="StorageErrorKind.ResyncRequired"/>: the caller enumerates again from the start.</remarks>
public interface IChangeSource
{
    /// <summary>The id of the folder the store is rooted at; items are placed relative to it.</summary>
    Task<string> GetRootItemIdAsync(CancellationToken cancellationToken);

    /// <summary>Reads one page: <paramref name="link"/> null starts a full enumeration; else a next or delta link.</summary>
    Task<ChangePage> ReadChangesAsync(string? link, CancellationToken cancellationToken);

    /// <summary>Opens a ranged read of an item by id (no path lookup; survives renames of its folders).</summary>
    Task<Stream> OpenReadByIdAsync(string itemId, long offset, long? length, CancellationToken cancellationToken);
}

/// <summary>An upload session: a pre-authenticated URL that takes byte ranges (a secret: never log it).</summary>
public sealed record UploadSession(Uri Url, DateTimeOffset ExpiresAt);

/// <summary>
/// Capability of a destination (Graph drive) that takes large files as upload sessions: fragments of a
/// fixed multiple, resumable at the next expected byte after a crash.
/// </summary>
public interface IUploadSessionWriter
{
    /// <summary>Fragments must be a multiple of this (Graph: 320 KiB), except the last.</summary>
    long FragmentMultiple { get; }

    /// <summary>Objects up to this size go in one simple request instead.</summary>
    long MaxSimpleUploadSize { get; }

    Task<UploadSession> CreateUploadSessionAsync(string path, WriteOptions options, CancellationToken cancellationToken);

    /// <summary>The next byte the session expects, or null when the session expired or is unknown.</summary>
    Task<long?> GetNextExpectedOffsetAsync(UploadSession session, CancellationToken cancellationToken);

    /// <summary>Uploads one fragment; returns the result when it completed the object, else null.</summary>
    Task<WriteResult?> UploadFragmentAsync(UploadSession session, long offset, long totalSize, Stream content, CancellationToken cancellationToken);

    Task CancelUploadSessionAsync(UploadSession session, CancellationToken cancellationToken);
}

/// <summary>Capability of a destination that renames or moves an object server-side (no content transfer).</summary>
public interface IServerSideMove
{
    /// <summary>Moves <paramref name="fromPath"/> to <paramref name="toPath"/>; the condition applies to the source object.</summary>
    Task<WriteResult> MoveAsync(string fromPath, string toPath, WriteOptions options, CancellationToken cancellationToken);
}

/// <summary>
/// One node of a change-feed pair's item-id tree: parent and name, so paths are derived and a folder
/// rename or move is one row.
/// </summary>
public sealed record TreeEntry
{
    public required string PairId { get; init; }
    public required string ItemId { get; init; }
    public string? ParentId { get; init; }
    public required string Name { get; init; }
    public bool IsFolder { get; init; }
}
