using Microsoft.Graph.Models;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph;

/// <summary>
/// Maps SDK <see cref="DriveItem"/>s to the engine's records. The one place that decides what a drive
/// item's version is.
/// </summary>
/// <remarks>
/// Version = the cTag when present, else the eTag. The cTag changes only when the content changes, so a
/// rename or move of an object at the destination (done server-side by <see cref="IServerSideMove"/>) keeps the
/// baseline's version valid, and comparing versions asks exactly "is this still the content we wrote?". The
/// service accepts a cTag in If-Match like an eTag. Folders (no cTag on OneDrive for Business) fall back to the eTag.
/// </remarks>
internal static class DriveItems
{
    /// <summary>Fields every item request selects: what the records below read, nothing more.</summary>
    public const string Select =
        "id,name,size,eTag,cTag,file,folder,package,root,deleted,parentReference,lastModifiedDateTime,fileSystemInfo";

    public static readonly string[] SelectFields = Select.Split(',');

    /// <summary>The version token of <paramref name="item"/> (see remarks of the class).</summary>
    public static string VersionOf(DriveItem item) =>
        item.CTag ?? item.ETag ?? throw new StorageException(StorageErrorKind.Permanent, $"Graph returned item {item.Id} without eTag or cTag.");

    /// <summary>
    /// The time to report: the file system time the uploader set (what users see as "modified"), else the
    /// service's own.
    /// </summary>
    public static DateTimeOffset LastModifiedOf(DriveItem item) =>
        item.FileSystemInfo?.LastModifiedDateTime ?? item.LastModifiedDateTime ?? DateTimeOffset.MinValue;

    /// <summary>True for folders and the drive root (and packages such as OneNote notebooks, which hold items).</summary>
    public static bool IsContainer(DriveItem item) => item.Folder is not null || item.Root is not null || item.Package is not null;

    public static ObjectInfo ToObjectInfo(string path, DriveItem item) => new(
        path,
        item.Size ?? 0,
        LastModifiedOf(item),
        VersionOf(item),
        Sha256: item.File?.Hashes?.Sha256Hash?.ToLowerInvariant(),
        ItemId: item.Id,
        ParentId: item.ParentReference?.Id,
        QuickXorHash: item.File?.Hashes?.QuickXorHash);

    public static WriteResult ToWriteResult(DriveItem item) => new(VersionOf(item), LastModifiedOf(item));

    /// <summary>
    /// A delta record as a <see cref="ChangeItem"/>. Names are returned in the engine's form
    /// (<see cref="GraphNameMapping.FromDriveName"/>), like listings, so paths built from them match.
    /// </summary>
    public static ChangeItem ToChangeItem(DriveItem item, string rootFolderId)
    {
        var hashes = item.File?.Hashes;

        // The store's root folder (the drive root only when the store is rooted there).
        var isRoot = item.Id == rootFolderId;
        return new ChangeItem
        {
            ItemId = item.Id ?? throw new StorageException(StorageErrorKind.Permanent, "Graph returned a delta item without an id."),
            ParentId = isRoot ? null : item.ParentReference?.Id,
            Name = item.Deleted is not null || item.Name is null ? null : GraphNameMapping.FromDriveName(item.Name),
            IsFolder = IsContainer(item),
            IsRoot = isRoot,
            IsDeleted = item.Deleted is not null,
            Size = item.Size ?? 0,
            LastModified = LastModifiedOf(item),
            ETag = item.ETag,
            CTag = item.CTag,
            QuickXorHash = hashes?.QuickXorHash,
            Sha256 = hashes?.Sha256Hash?.ToLowerInvariant(),
            Sha1 = hashes?.Sha1Hash?.ToLowerInvariant(),
        };
    }
}
