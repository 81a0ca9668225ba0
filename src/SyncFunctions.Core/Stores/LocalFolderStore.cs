using System.Globalization;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Stores;

/// <summary>
/// A local folder as a source or destination. Versions are "size:mtime-ticks" (UTC); writes go to a
/// temporary file and are renamed into place, so a reader never sees half a file; downloads resume
/// from partial files (<see cref="IResumableWriter"/>); files and folders are renamed in place
/// (<see cref="IServerSideMove"/>, <see cref="IServerSideFolderMove"/>).
/// </summary>
/// <remarks>
/// Thread-safe. A condition check and the rename that follows it are atomic within this instance
/// (a lock per path stripe); other processes writing the same folder are not coordinated with.
/// Every path is validated and must stay under the root, also through symbolic links.
/// </remarks>
public sealed partial class LocalFolderStore : IObjectStore, IResumableWriter, IPartialFileCleaner
{
    private const int ReadBufferSize = 256 * 1024;
    private const int WriteBufferSize = 256 * 1024;

    private readonly string _root;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private string? _realRoot;

    public LocalFolderStore(string rootPath, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootPath);
        var full = Path.GetFullPath(rootPath);
        _root = full.Length > 1 ? full.TrimEnd('/') : full;
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>The absolute root folder.</summary>
    public string RootPath => _root;

    public string DisplayName => "local:" + _root;

    /// <summary>The version token of a file: its size and UTC modification ticks.</summary>
    public static string VersionOf(long size, DateTimeOffset lastModifiedUtc) =>
        size.ToString(CultureInfo.InvariantCulture) + ":" + lastModifiedUtc.UtcTicks.ToString(CultureInfo.InvariantCulture);

    public Task<ObjectInfo?> GetInfoAsync(string path, CancellationToken cancellationToken)
    {
        var full = Resolve(path);
        try
        {
            var file = new FileInfo(full);
            return Task.FromResult(file.Exists ? Describe(path, file) : null);
        }
        catch (Exception e) when (LocalPaths.IsFileSystemError(e))
        {
            throw LocalPaths.Map(e, DisplayName, path);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The file is opened for asynchronous I/O, so every read observes its own token. A named pipe, a
    /// socket or a device file fails as <see cref="StorageErrorKind.Permanent"/> without being opened: one
    /// that replaced a listed file must not block the run in open(2), where no token reaches. (A swap in
    /// the moment between that check and the open is not guarded against.)
    /// </remarks>
    public Task<Stream> OpenReadAsync(string path, long offset, long? length, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var full = Resolve(path);
        RequireRegularFile(path, full);
        FileStream? stream = null;
        try
        {
            stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, ReadBufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
            if (offset < 0 || offset > stream.Length || (length is { } l && (l < 0 || offset + l > stream.Length)))
            {
                throw new StorageException(StorageErrorKind.Permanent, $"{DisplayName}: '{path}': range {offset}+{length} outside the file ({stream.Length} bytes)", status: 416);
            }

            stream.Seek(offset, SeekOrigin.Begin);
            Stream result = length is { } count ? new BoundedReadStream(stream, count) : stream;
            stream = null;
            return Task.FromResult(result);
        }
        catch (Exception e) when (LocalPaths.IsFileSystemError(e))
        {
            throw LocalPaths.Map(e, DisplayName, path);
        }
        finally
        {
            stream?.Dispose();
        }
    }

    public async Task<WriteResult> WriteAsync(string path, Stream content, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(options);
        var full = ResolveForWrite(path);
        var temp = LocalPaths.TempFile(full);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, WriteBufferSize, FileOptions.Asynchronous))
            {
                await content.CopyToAsync(file, WriteBufferSize, cancellationToken);
            }

            return await MoveIntoPlaceAsync(path, full, temp, options, cancellationToken);
        }
        catch (Exception e) when (LocalPaths.IsFileSystemError(e))
        {
            throw LocalPaths.Map(e, DisplayName, path);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    public async Task DeleteAsync(string path, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var full = Resolve(path);
        var stripe = Stripe(path);
        await stripe.WaitAsync(cancellationToken);
        try
        {
            var file = new FileInfo(full);
            if (!file.Exists)
            {
                return;
            }

            if (options.IfMatch is { } ifMatch && ifMatch != Describe(path, file).Version)
            {
                throw Precondition(path, "If-Match");
            }

            file.Delete();
            RemoveEmptyParents(Path.GetDirectoryName(full)!);
        }
        catch (Exception e) when (LocalPaths.IsFileSystemError(e))
        {
            throw LocalPaths.Map(e, DisplayName, path);
        }
        finally
        {
            stripe.Release();
        }
    }

    // Checks the condition and renames in one critical section, then reports the new version.
    private async Task<WriteResult> MoveIntoPlaceAsync(string path, string full, string ready, WriteOptions options, CancellationToken cancellationToken)
    {
        var lastModified = options.SourceLastModified ?? _time.GetUtcNow();
        File.SetLastWriteTimeUtc(ready, lastModified.UtcDateTime);
        var stripe = Stripe(path);
        await stripe.WaitAsync(cancellationToken);
        try
        {
            CheckCondition(path, full, options);
            File.Move(ready, full, overwrite: true);
            var info = Describe(path, new FileInfo(full));
            return new WriteResult(info.Version!, info.LastModified);
        }
        finally
        {
            stripe.Release();
        }
    }

    private void CheckCondition(string path, string full, WriteOptions options)
    {
        if (Directory.Exists(full))
        {
            throw new StorageException(StorageErrorKind.Permanent, $"{DisplayName}: '{path}' is a directory");
        }

        var file = new FileInfo(full);
        if (options.IfNoneMatch && file.Exists)
        {
            throw Precondition(path, "If-None-Match");
        }

        if (options.IfMatch is { } ifMatch && (!file.Exists || Describe(path, file).Version != ifMatch))
        {
            throw Precondition(path, "If-Match");
        }
    }

    private void RemoveEmptyParents(string directory)
    {
        while (directory.Length > _root.Length && LocalPaths.IsUnder(_root, directory))
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(directory).Any())
                {
                    return;
                }

                Directory.Delete(directory);
            }
            catch (IOException)
            {
                // Someone wrote into it meanwhile: it is not empty any more.
                return;
            }

            directory = Path.GetDirectoryName(directory)!;
        }
    }

    private void RequireRegularFile(string path, string full)
    {
        if (LocalFileKinds.SpecialName(LocalFileKinds.Of(full, followLinks: true)) is { } special)
        {
            throw new StorageException(StorageErrorKind.Permanent, $"{DisplayName}: '{path}' is {special}, not a file");
        }
    }

    private static ObjectInfo Describe(string path, FileInfo file)
    {
        var lastModified = new DateTimeOffset(DateTime.SpecifyKind(file.LastWriteTimeUtc, DateTimeKind.Utc));
        return new ObjectInfo(path, file.Length, lastModified, VersionOf(file.Length, lastModified));
    }

    private StorageException Precondition(string path, string condition) =>
        new(StorageErrorKind.PreconditionFailed, $"{DisplayName}: '{path}': condition {condition} not met (the file changed)", status: 412);

    private SemaphoreSlim Stripe(string path) => _stripes[StripeIndex(path)];

    private int StripeIndex(string path) => (StringComparer.Ordinal.GetHashCode(path) & int.MaxValue) % _stripes.Length;

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary file is hidden from listings.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
