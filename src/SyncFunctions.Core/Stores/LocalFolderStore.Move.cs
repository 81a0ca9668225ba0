using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Stores;

/// <summary>
/// Renames within the root: a file (<see cref="IServerSideMove"/>) or a folder with its whole subtree
/// (<see cref="IServerSideFolderMove"/>), without reading or writing content. A rename keeps a file's size and
/// modification time, so its version stays what the caller recorded.
/// </summary>
/// <remarks>
/// Both paths are validated and resolved like every other path (never outside the root, also through symbolic
/// links). Emptied parents of the old path are removed, as a delete removes them. Moves by this instance are
/// atomic with its conditional writes of the same paths; a folder move is not coordinated with writes into that
/// folder (the engine runs folder moves before anything else of a run), nor with other processes.
/// </remarks>
public sealed partial class LocalFolderStore : IServerSideMove, IServerSideFolderMove
{
    /// <inheritdoc />
    /// <remarks>
    /// <see cref="WriteOptions.IfMatch"/> is the source file's version (PreconditionFailed when it differs). An
    /// existing file at <paramref name="toPath"/> is never replaced unless the move is unconditional (no If-Match,
    /// no If-None-Match); a folder there is never replaced. The moved file's version equals the source's.
    /// </remarks>
    public async Task<WriteResult> MoveAsync(string fromPath, string toPath, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var from = Resolve(fromPath);
        var to = ResolveForWrite(toPath);
        var (first, second) = Stripes(fromPath, toPath);
        await first.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (second is not null)
            {
                await second.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                return MoveFileLocked(fromPath, toPath, from, to, options);
            }
            catch (Exception e) when (LocalPaths.IsFileSystemError(e))
            {
                throw LocalPaths.Map(e, DisplayName, fromPath);
            }
            finally
            {
                second?.Release();
            }
        }
        finally
        {
            first.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>One rename of the directory (<see cref="Directory.Move"/>): the files below keep their versions.</remarks>
    public Task MoveFolderAsync(string fromFolder, string toFolder, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var from = Resolve(fromFolder);
        var to = ResolveForWrite(toFolder);
        try
        {
            if (!Directory.Exists(from))
            {
                throw new StorageException(StorageErrorKind.NotFound, $"{DisplayName}: no folder at '{fromFolder}'", status: 404);
            }

            if (LocalPaths.IsUnder(from, to))
            {
                throw new StorageException(StorageErrorKind.Permanent, $"{DisplayName}: '{fromFolder}' cannot be moved into itself ('{toFolder}')");
            }

            RequireFree(toFolder, to);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            try
            {
                Directory.Move(from, to);
            }
            catch (IOException) when (Directory.Exists(to) || File.Exists(to))
            {
                // Created by someone else between the check and the rename.
                throw InTheWay(toFolder);
            }

            RemoveEmptyParents(Path.GetDirectoryName(from)!);
            return Task.CompletedTask;
        }
        catch (Exception e) when (LocalPaths.IsFileSystemError(e))
        {
            throw LocalPaths.Map(e, DisplayName, fromFolder);
        }
    }

    private WriteResult MoveFileLocked(string fromPath, string toPath, string from, string to, WriteOptions options)
    {
        var source = new FileInfo(from);
        if (!source.Exists)
        {
            throw new StorageException(StorageErrorKind.NotFound, $"{DisplayName}: '{fromPath}' not found", status: 404);
        }

        var current = Describe(fromPath, source);
        if (options.IfMatch is { } ifMatch && ifMatch != current.Version)
        {
            throw Precondition(fromPath, "If-Match");
        }

        if (from == to)
        {
            return new WriteResult(current.Version!, current.LastModified);
        }

        var unconditional = options.IfMatch is null && !options.IfNoneMatch;
        if (Directory.Exists(to) || (File.Exists(to) && !unconditional))
        {
            throw InTheWay(toPath);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Move(from, to, overwrite: unconditional);
        RemoveEmptyParents(Path.GetDirectoryName(from)!);
        var moved = Describe(toPath, new FileInfo(to));
        return new WriteResult(moved.Version!, moved.LastModified);
    }

    private void RequireFree(string path, string full)
    {
        if (Directory.Exists(full) || File.Exists(full))
        {
            throw InTheWay(path);
        }
    }

    private StorageException InTheWay(string path) =>
        new(StorageErrorKind.PreconditionFailed, $"{DisplayName}: '{path}' exists already; a move does not replace it", status: 412);

    /// <summary>The stripes of both paths in a fixed order (one when they share it), so two moves never deadlock.</summary>
    private (SemaphoreSlim First, SemaphoreSlim? Second) Stripes(string a, string b)
    {
        var (x, y) = (StripeIndex(a), StripeIndex(b));
        return x == y ? (_stripes[x], null) : (_stripes[Math.Min(x, y)], _stripes[Math.Max(x, y)]);
    }
}
