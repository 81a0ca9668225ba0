using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Fakes;

/// <summary>Storage, conditions, URL resolution and the hooks around every operation.</summary>
public sealed partial class InMemoryObjectStore
{
    private void Stage(string path, string chunkId, byte[] bytes)
    {
        RelativePath.Require(path);
        if (bytes.LongLength > MaxChunkSize)
        {
            throw new StorageException(StorageErrorKind.Permanent, $"{DisplayName}: chunk of {bytes.Length} bytes exceeds {MaxChunkSize}", status: 413);
        }

        lock (_gate)
        {
            if (!_staged.TryGetValue(path, out var list))
            {
                list = [];
                _staged[path] = list;
            }

            // Blob requires every block id of one blob to have the same length.
            if (list.Count > 0 && list[0].Key.Length != chunkId.Length)
            {
                throw new StorageException(StorageErrorKind.Permanent, $"{DisplayName}: '{path}': chunk ids differ in length (InvalidBlobOrBlock)", status: 400);
            }

            list.RemoveAll(c => c.Key == chunkId);
            list.Add(new KeyValuePair<string, byte[]>(chunkId, bytes));
        }
    }

    private WriteResult Store(string path, byte[] bytes, WriteOptions options, string? sha256)
    {
        lock (_gate)
        {
            var exists = _objects.TryGetValue(path, out var existing);
            if (options.IfNoneMatch && exists)
            {
                throw Precondition(path, "If-None-Match");
            }

            if (options.IfMatch is { } ifMatch && (!exists || existing!.Info.Version != ifMatch))
            {
                throw Precondition(path, "If-Match");
            }

            var stored = NewObject(path, bytes, _time.GetUtcNow(), KeepsHashes ? sha256 : null);
            _objects[path] = stored;
            _staged.Remove(path);
            _writes.AddOrUpdate(path, 1, (_, n) => n + 1);
            return new WriteResult(stored.Info.Version!, stored.Info.LastModified);
        }
    }

    private static StoredObject NewObject(string path, byte[] bytes, DateTimeOffset lastModified, string? sha256)
    {
        var etag = $"\"0x{Interlocked.Increment(ref _etagCounter):X}\"";
        return new StoredObject(new ObjectInfo(path, bytes.LongLength, lastModified, etag, sha256), bytes);
    }

    private StorageException Precondition(string path, string condition) =>
        new(StorageErrorKind.PreconditionFailed, $"{DisplayName}: '{path}': condition {condition} not met", status: 412);

    private static byte[] Slice(byte[] content, long offset, long? length, string path)
    {
        if (offset < 0 || offset > content.LongLength || (length is { } l && (l < 0 || offset + l > content.LongLength)))
        {
            throw new StorageException(StorageErrorKind.Permanent, $"range {offset}+{length} outside '{path}' ({content.Length} bytes)", status: 416);
        }

        var count = length ?? (content.LongLength - offset);
        return content.AsSpan((int)offset, (int)count).ToArray();
    }

    private static (InMemoryObjectStore Store, string Path) ResolveUrl(Uri url)
    {
        var text = url.OriginalString;
        const string scheme = "memory://";
        var slash = text.IndexOf('/', scheme.Length);
        if (!text.StartsWith(scheme, StringComparison.Ordinal) || slash < 0)
        {
            throw new StorageException(StorageErrorKind.Permanent, "not an in-memory read URL", status: 400);
        }

        var id = text[scheme.Length..slash];
        if (!Registry.TryGetValue(id, out var weak) || !weak.TryGetTarget(out var store))
        {
            throw new StorageException(StorageErrorKind.NotFound, $"copy source store '{id}' not found", status: 404);
        }

        return (store, Uri.UnescapeDataString(text[(slash + 1)..]));
    }

    private static async Task<byte[]> ReadAllAsync(Stream content, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private async Task EnterAsync(string op, string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _requests.AddOrUpdate(op, 1, (_, n) => n + 1);
        if (BeforeOperation is { } before)
        {
            await before(op, path, cancellationToken);
        }

        if (FaultInjector?.Invoke(op, path) is { } fault)
        {
            throw fault;
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private sealed record StoredObject(ObjectInfo Info, byte[] Content)
    {
        public string? Sha256 => Info.Sha256;
    }
}
