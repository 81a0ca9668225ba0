using Microsoft.Graph.Models;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph;

/// <summary>
/// Maps SDK <see cref="DriveItem"/>s and delta records (<see cref="DeltaRecord"/>) to the engine's records. The one
/// place that decides what a drive item's version, time, kind and hashes are.
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
        LastModifiedOf(item.FileSystemInfo?.LastModifiedDateTime, item.LastModifiedDateTime);

    /// <summary>True for folders and the drive root (and packages such as OneNote notebooks, which hold items).</summary>
    public static bool IsContainer(DriveItem item) => IsContainer(item.Folder is not null, item.Root is not null, item.Package is not null);

    public static ObjectInfo ToObjectInfo(string path, DriveItem item) => new(
        path,
        item.Size ?? 0,
        LastModifiedOf(item),
        VersionOf(item),
        Sha256: ToLower(item.File?.Hashes?.Sha256Hash),
        ItemId: item.Id,
        ParentId: item.ParentReference?.Id,
        QuickXorHash: item.File?.Hashes?.QuickXorHash);

    public static WriteResult ToWriteResult(DriveItem item) => new(VersionOf(item), LastModifiedOf(item));

    /// <summary>
    /// A delta record as a <see cref="ChangeItem"/>. Names are returned in the engine's form
    /// (<see cref="GraphNameMapping.FromDriveName"/>), like listings, so paths built from them match.
    /// </summary>
    /// <remarks>Delta pages are read without the SDK model (see <see cref="DeltaPageReader"/>); the rules are those of the DriveItem mappings above.</remarks>
    /// <exception cref="StorageException">Permanent: the record has no id.</exception>
    public static ChangeItem ToChangeItem(in DeltaRecord record, string rootFolderId)
    {
        // The store's root folder (the drive root only when the store is rooted there).
        var isRoot = record.Id == rootFolderId;
        return new ChangeItem
        {
            ItemId = record.Id ?? throw new StorageException(StorageErrorKind.Permanent, "Graph returned a delta item without an id."),
            ParentId = isRoot ? null : record.ParentId,
            Name = record.HasDeleted || record.Name is null ? null : GraphNameMapping.FromDriveName(record.Name),
            IsFolder = IsContainer(record.HasFolder, record.HasRoot, record.HasPackage),
            IsRoot = isRoot,
            IsDeleted = record.HasDeleted,
            Size = record.Size ?? 0,
            LastModified = LastModifiedOf(record.FileSystemLastModified, record.LastModifiedDateTime),
            ETag = record.ETag,
            CTag = record.CTag,
            QuickXorHash = record.QuickXorHash,
            Sha256 = ToLower(record.Sha256Hash),
            Sha1 = ToLower(record.Sha1Hash),
        };
    }

    private static DateTimeOffset LastModifiedOf(DateTimeOffset? fileSystem, DateTimeOffset? service) =>
        fileSystem ?? service ?? DateTimeOffset.MinValue;

    private static bool IsContainer(bool folder, bool root, bool package) => folder || root || package;

    /// <summary>Hex hashes in the engine's lower case (the service sends upper case).</summary>
    private static string? ToLower(string? hex) => hex?.ToLowerInvariant();
}
