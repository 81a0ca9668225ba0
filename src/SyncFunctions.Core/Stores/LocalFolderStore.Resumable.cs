using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Stores;

/// <summary>
/// Resumable downloads: <c>.&lt;name&gt;.syncfn-partial</c> next to the target plus a sidecar
/// <c>.&lt;name&gt;.syncfn-partial.version</c> naming the source version the bytes came from.
/// </summary>
/// <remarks>
/// The sidecar is written before the first byte, so a partial file without a matching sidecar is
/// never trusted. One writer per path at a time (the engine's claim protocol ensures it).
/// </remarks>
public sealed partial class LocalFolderStore
{
    public async Task<long> GetPartialLengthAsync(string path, string sourceVersion, CancellationToken cancellationToken)
    {
        var (partial, sidecar) = LocalPaths.PartialFiles(ResolveForWrite(path));
        try
        {
            if (File.Exists(partial) && File.Exists(sidecar)
                && await File.ReadAllTextAsync(sidecar, cancellationToken) == sourceVersion)
            {
                return new FileInfo(partial).Length;
            }

            // Another version (or an orphan): those bytes must not be mixed with the new ones.
            if (Directory.Exists(Path.GetDirectoryName(partial)))
            {
                File.Delete(partial);
                File.Delete(sidecar);
            }

            return 0;
        }
        catch (Exception e) when (LocalPaths.IsFileSystemError(e))
        {
            throw LocalPaths.Map(e, DisplayName, path);
        }
    }

    public async Task AppendPartialAsync(string path, string sourceVersion, long offset, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var (partial, sidecar) = LocalPaths.PartialFiles(ResolveForWrite(path));
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(partial)!);
            if (!File.Exists(sidecar) || await File.ReadAllTextAsync(sidecar, cancellationToken) != sourceVersion)
            {
                File.Delete(partial);
                await File.WriteAllTextAsync(sidecar, sourceVersion, cancellationToken);
            }

            await using var file = new FileStream(partial, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, WriteBufferSize, FileOptions.Asynchronous);
            if (file.Length < offset)
            {
                throw new StorageException(StorageErrorKind.Permanent, $"{DisplayName}: '{path}': the partial file holds {file.Length} bytes, cannot append at {offset}");
            }

            file.SetLength(offset);
            file.Seek(offset, SeekOrigin.Begin);
            await content.CopyToAsync(file, WriteBufferSize, cancellationToken);
            await file.FlushAsync(cancellationToken);
        }
        catch (Exception e) when (LocalPaths.IsFileSystemError(e))
        {
            throw LocalPaths.Map(e, DisplayName, path);
        }
    }

    public async Task<WriteResult> CommitPartialAsync(string path, string sourceVersion, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var full = ResolveForWrite(path);
        var (partial, sidecar) = LocalPaths.PartialFiles(full);
        try
        {
            if (!File.Exists(partial) || !File.Exists(sidecar) || await File.ReadAllTextAsync(sidecar, cancellationToken) != sourceVersion)
            {
                throw new StorageException(StorageErrorKind.NotFound, $"{DisplayName}: '{path}': no partial file for source version {sourceVersion}");
            }

            var result = await MoveIntoPlaceAsync(path, full, partial, options, cancellationToken);
            File.Delete(sidecar);
            return result;
        }
        catch (Exception e) when (LocalPaths.IsFileSystemError(e))
        {
            throw LocalPaths.Map(e, DisplayName, path);
        }
    }

    public Task<long?> GetPartialSizeAsync(string path, CancellationToken cancellationToken)
    {
        var (partial, _) = LocalPaths.PartialFiles(ResolveForWrite(path));
        try
        {
            var info = new FileInfo(partial);
            return Task.FromResult(info.Exists ? info.Length : (long?)null);
        }
        catch (Exception e) when (LocalPaths.IsFileSystemError(e))
        {
            throw LocalPaths.Map(e, DisplayName, path);
        }
    }

    public Task<bool> DiscardPartialAsync(string path, long expectedSize, CancellationToken cancellationToken)
    {
        var (partial, sidecar) = LocalPaths.PartialFiles(ResolveForWrite(path));
        try
        {
            var info = new FileInfo(partial);
            if (!info.Exists || info.Length != expectedSize)
            {
                return Task.FromResult(false);
            }

            File.Delete(partial);
            File.Delete(sidecar);
            return Task.FromResult(true);
        }
        catch (Exception e) when (LocalPaths.IsFileSystemError(e))
        {
            throw LocalPaths.Map(e, DisplayName, path);
        }
    }
}
