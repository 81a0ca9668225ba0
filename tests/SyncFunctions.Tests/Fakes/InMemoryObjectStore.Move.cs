using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Fakes;

/// <summary>
/// Server-side rename: the object moves with its content and metadata, and gets a new ETag (like Blob's copy and
/// delete, counted in <see cref="ServerSideBytesCopied"/>). <see cref="MoveTreeAsync"/> is a folder rename for fakes
/// with real folders (<see cref="FolderTreeStore"/>); the store itself offers no <see cref="IServerSideFolderMove"/>.
/// </summary>
public sealed partial class InMemoryObjectStore : IServerSideMove
{
    private int _moves;
    private int _treeMoves;

    /// <summary>Server-side moves done.</summary>
    public int Moves => Volatile.Read(ref _moves);

    /// <summary>Folder renames done by <see cref="MoveTreeAsync"/>.</summary>
    public int TreeMoves => Volatile.Read(ref _treeMoves);

    public async Task<WriteResult> MoveAsync(string fromPath, string toPath, WriteOptions options, CancellationToken cancellationToken)
    {
        await EnterAsync("Move", toPath, cancellationToken);
        RelativePath.Require(toPath);
        lock (_gate)
        {
            if (!_objects.TryGetValue(fromPath, out var existing))
            {
                throw new StorageException(StorageErrorKind.NotFound, $"'{fromPath}' not found", status: 404);
            }

            if (options.IfMatch is { } ifMatch && existing.Info.Version != ifMatch)
            {
                throw Precondition(fromPath, "If-Match");
            }

            var moved = NewObject(toPath, existing.Content, existing.Info.LastModified, existing.Info.Sha256);
            _objects.Remove(fromPath);
            _objects[toPath] = moved;
            Interlocked.Increment(ref _moves);
            Interlocked.Add(ref _serverSideBytesCopied, existing.Content.LongLength);
            return new WriteResult(moved.Info.Version!, moved.Info.LastModified);
        }
    }

    /// <summary>
    /// Moves every object below <paramref name="fromFolder"/> to the same relative path below <paramref name="toFolder"/>
    /// in one request (op "MoveTree"), keeping content, versions and times, as a folder rename of a store with real
    /// folders does. No body bytes, nothing copied. Returns the objects moved.
    /// </summary>
    public async Task<int> MoveTreeAsync(string fromFolder, string toFolder, CancellationToken cancellationToken)
    {
        await EnterAsync("MoveTree", fromFolder, cancellationToken);
        RelativePath.Require(toFolder);
        var moved = MoveTree(fromFolder, toFolder);
        Interlocked.Increment(ref _treeMoves);
        return moved;
    }

    /// <summary>What <see cref="MoveTreeAsync"/> does, directly (no request counted, no hook): a change by someone else.</summary>
    public int MoveTree(string fromFolder, string toFolder)
    {
        lock (_gate)
        {
            var prefix = fromFolder + "/";
            var moving = _objects.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            foreach (var (path, stored) in moving)
            {
                var target = toFolder + path[fromFolder.Length..];
                _objects.Remove(path);
                _staged.Remove(path);
                _objects[target] = stored with { Info = stored.Info with { Path = target } };
            }

            return moving.Count;
        }
    }
}
