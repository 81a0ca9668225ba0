namespace SyncFunctions.Abstractions;

/// <summary>
/// What a store knows about one object (file or blob) at a relative path.
/// </summary>
/// <param name="Path">Relative path with '/' separators, no leading slash, validated by <see cref="RelativePath"/>.</param>
/// <param name="Size">Length in bytes.</param>
/// <param name="LastModified">Last modification time as the store reports it.</param>
/// <param name="Version">An opaque version token (blob ETag; for local files size+mtime ticks). Changes whenever content may have changed.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the content when the store knows it without reading (blob metadata), else null.</param>
/// <param name="ContentMd5">Base64 MD5 when the store reports one, else null.</param>
/// <param name="ItemId">Stable item id where the store has one (Graph), else null.</param>
/// <param name="ParentId">Parent item id where the store has one (Graph), else null.</param>
/// <param name="QuickXorHash">Base64 QuickXorHash when the store reports one (Graph drives), else null.</param>
public sealed record ObjectInfo(
    string Path,
    long Size,
    DateTimeOffset LastModified,
    string? Version,
    string? Sha256 = null,
    string? ContentMd5 = null,
    string? ItemId = null,
    string? ParentId = null,
    string? QuickXorHash = null);

/// <summary>A file that a listing could not return, with the reason (unreadable, invalid name, ...).</summary>
public sealed record SkippedObject(string Path, string Reason);

/// <summary>One entry of a streamed listing: either an object or a skipped path.</summary>
public readonly record struct ListingEntry(ObjectInfo? Object, SkippedObject? Skipped)
{
    public static ListingEntry Of(ObjectInfo info) => new(info, null);

    public static ListingEntry Skip(string path, string reason) => new(null, new SkippedObject(path, reason));
}
