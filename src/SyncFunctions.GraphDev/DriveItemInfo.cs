namespace SyncFunctions.GraphDev;

/// <summary>
/// A snapshot of one drive item, as a test or benchmark sees it through <see cref="GraphDevDrive"/>.
/// </summary>
/// <param name="Id">Item id (as Graph reports it).</param>
/// <param name="ParentId">Parent folder id; null for the root.</param>
/// <param name="Name">Name ("root" for the root).</param>
/// <param name="Path">Path below the root with '/' separators, no leading slash ("" for the root).</param>
/// <param name="IsFolder">Folder or file.</param>
/// <param name="Size">Content length in bytes (0 for folders).</param>
/// <param name="ETag">Current eTag (changes on any change).</param>
/// <param name="CTag">Current cTag (files only; changes on content changes).</param>
/// <param name="QuickXorHash">Base64 QuickXorHash of the content (files only).</param>
/// <param name="LastModified">Service last-modified time.</param>
public sealed record DriveItemInfo(
    string Id,
    string? ParentId,
    string Name,
    string Path,
    bool IsFolder,
    long Size,
    string ETag,
    string? CTag,
    string? QuickXorHash,
    DateTimeOffset LastModified);

/// <summary>What to do when the target name already exists (<c>@microsoft.graph.conflictBehavior</c>).</summary>
public enum ConflictBehavior
{
    /// <summary>Fail with 409 nameAlreadyExists.</summary>
    Fail,

    /// <summary>Replace the existing item.</summary>
    Replace,

    /// <summary>Pick a free name ("name 1.ext").</summary>
    Rename,
}
