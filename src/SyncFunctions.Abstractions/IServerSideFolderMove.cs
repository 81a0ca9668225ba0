namespace SyncFunctions.Abstractions;

/// <summary>
/// Capability of a destination with real folders (a OneDrive / SharePoint drive, a local folder): it moves a folder
/// with everything below it in one operation, so a folder renamed or moved at a change-feed source costs one request
/// at the destination, however many files it holds. Stores whose folders are only name prefixes (Blob) do not have
/// it; the engine then moves the files one by one (<see cref="IServerSideMove"/>).
/// </summary>
/// <remarks>
/// Thread-safe. Every failure surfaces as <see cref="StorageException"/>. The cancellation token cancels the one
/// call; a move the service carried out already stays done (a retry then finds nothing at the old path: NotFound).
/// </remarks>
public interface IServerSideFolderMove
{
    /// <summary>
    /// Moves the folder at <paramref name="fromFolder"/> with its whole subtree to <paramref name="toFolder"/>
    /// (store-relative folder paths, never the root), creating the missing parents of <paramref name="toFolder"/>.
    /// </summary>
    /// <remarks>
    /// <para>Never merges or overwrites: PreconditionFailed when anything (a file or a folder) is at
    /// <paramref name="toFolder"/> already, NotFound when no folder is at <paramref name="fromFolder"/>.</para>
    /// <para>The objects below keep their versions (<see cref="ObjectInfo.Version"/>), so the conditions the caller
    /// recorded for them stay valid at their new paths. The move is not conditioned on them: objects below that
    /// someone else changed or added move along, unchanged.</para>
    /// </remarks>
    Task MoveFolderAsync(string fromFolder, string toFolder, CancellationToken cancellationToken);
}
