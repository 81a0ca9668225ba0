namespace SyncFunctions.Abstractions;

/// <summary>
/// Capability of a destination with real folders (a OneDrive / SharePoint drive): folders are items of their
/// own and stay behind when their last object is deleted or moved away, so the engine asks for the emptied
/// ones to be removed. Stores whose folders are only name prefixes (Blob) have nothing to prune, and the local
/// folder store removes empty parents itself when it deletes a file.
/// </summary>
/// <remarks>
/// Thread-safe. Every failure surfaces as <see cref="StorageException"/>; the call is idempotent, so the
/// caller may retry it whole. The cancellation token cancels the one call (folders already removed stay removed).
/// </remarks>
public interface IEmptyFolderPruner
{
    /// <summary>
    /// Removes each of <paramref name="folders"/> (store-relative folder paths) that holds nothing.
    /// </summary>
    /// <remarks>
    /// <para>Folders are handled deepest first, so a parent given together with its child is removed too when
    /// that child was its only content. Parents that are not given are never touched: the caller decides how far
    /// up to go (it leaves out folders it is writing into). Once a given folder is kept, its given ancestors are
    /// kept as well (they hold it).</para>
    /// <para>Never the store's root (the empty path is ignored). A folder that is gone already is fine. A folder
    /// that is not empty, or that changed between the check and the removal (the condition fails), is left alone,
    /// as is anything at the path that is not a folder.</para>
    /// </remarks>
    Task PruneEmptyFoldersAsync(IReadOnlyCollection<string> folders, CancellationToken cancellationToken);
}
