namespace SyncFunctions.GraphDev.Model;

/// <summary>
/// One drive item as stored: immutable, replaced as a whole on every change, so a reader may keep a
/// reference outside the drive's lock and serialise it later without tearing.
/// </summary>
/// <param name="Id">Opaque item id.</param>
/// <param name="ParentId">Parent folder id; null only for the root.</param>
/// <param name="Name">Item name ("root" for the root).</param>
/// <param name="IsFolder">Folder (true) or file.</param>
/// <param name="Content">File content; null for folders and deleted items.</param>
/// <param name="Seq">Change sequence of the last change of any kind: drives the delta order and the eTag.</param>
/// <param name="ContentSeq">Change sequence of the last content change: drives the cTag.</param>
/// <param name="Created">Service creation time (whole seconds).</param>
/// <param name="Modified">Service last-modified time (whole seconds).</param>
/// <param name="FsCreated">Client-supplied fileSystemInfo.createdDateTime.</param>
/// <param name="FsModified">Client-supplied fileSystemInfo.lastModifiedDateTime.</param>
/// <param name="Deleted">A tombstone kept for delta until the token retention passes.</param>
internal sealed record ItemState(
    string Id,
    string? ParentId,
    string Name,
    bool IsFolder,
    ContentBlob? Content,
    long Seq,
    long ContentSeq,
    DateTimeOffset Created,
    DateTimeOffset Modified,
    DateTimeOffset FsCreated,
    DateTimeOffset FsModified,
    bool Deleted)
{
    public bool IsRoot => ParentId is null;

    public long Size => Content?.Length ?? 0;

    /// <summary>Opaque eTag: changes with every change of the item (content, name, parent, metadata).</summary>
    public string ETag => $"\"{{{Id}}},{Seq}\"";

    /// <summary>Opaque cTag: changes only when the content changes. Folders have none (as on OneDrive for Business).</summary>
    public string? CTag => IsFolder ? null : $"\"c:{{{Id}}},{ContentSeq}\"";
}

/// <summary>An item plus what has to be read under the drive lock to describe it.</summary>
/// <param name="State">The item.</param>
/// <param name="ChildCount">Live children (folders only).</param>
/// <param name="ParentPath">Parent's path for parentReference.path ("/drive/root:" form); null in delta.</param>
internal readonly record struct ItemView(ItemState State, int ChildCount, string? ParentPath);
