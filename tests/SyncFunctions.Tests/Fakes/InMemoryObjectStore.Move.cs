using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Fakes;

/// <summary>Server-side rename: the object moves with its content and metadata, and gets a new ETag.</summary>
public sealed partial class InMemoryObjectStore : IServerSideMove
{
    private int _moves;

    /// <summary>Server-side moves done.</summary>
    public int Moves => Volatile.Read(ref _moves);

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
            return new WriteResult(moved.Info.Version!, moved.Info.LastModified);
        }
    }
}
