using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Fakes;

/// <summary>
/// An in-memory object store that behaves like a Blob container: ETags that change on every write,
/// conditional writes, staged chunks, read URLs and server-side copy between instances. Counts every
/// request and body byte, and lets tests inject faults or block at a precise operation.
/// </summary>
/// <remarks>
/// Thread-safe: one lock guards the objects and staged chunks; counters are interlocked. The hooks
/// (<see cref="BeforeOperation"/>, <see cref="FaultInjector"/>) run outside the lock.
/// </remarks>
public sealed partial class InMemoryObjectStore : IObjectStore, IChunkedWriter, IReadUrlProvider, IServerSideCopy
{
    private static readonly ConcurrentDictionary<string, WeakReference<InMemoryObjectStore>> Registry = new(StringComparer.Ordinal);
    private static long _etagCounter = 0x8D0000000000000;

    private readonly object _gate = new();
    private readonly SortedDictionary<string, StoredObject> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<KeyValuePair<string, byte[]>>> _staged = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public InMemoryObjectStore(TimeProvider? time = null, string? storeId = null)
    {
        _time = time ?? TimeProvider.System;
        StoreId = (storeId ?? Guid.NewGuid().ToString("N")[..12]).ToLowerInvariant();
        Registry[StoreId] = new WeakReference<InMemoryObjectStore>(this);
    }

    /// <summary>The store's id, the host part of its read URLs.</summary>
    public string StoreId { get; }

    public string DisplayName => $"memory:{StoreId}";

    public long MaxChunkSize { get; init; } = 4000L * 1024 * 1024;

    public int MaxChunkCount { get; init; } = 50_000;

    public long MaxSingleCopySize { get; init; } = 256L * 1024 * 1024;

    public bool CanProvideReadUrls { get; set; } = true;

    /// <summary>Consulted before each operation (after <see cref="BeforeOperation"/>): a non-null result is thrown.</summary>
    public Func<string, string, Exception?>? FaultInjector { get; set; }

    /// <summary>Awaited before each operation: lets a test block, observe or cancel at a precise point.</summary>
    public Func<string, string, CancellationToken, Task>? BeforeOperation { get; set; }

    public async IAsyncEnumerable<ListingEntry> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnterAsync(Ops.List, "", cancellationToken);
        List<ObjectInfo> snapshot;
        lock (_gate)
        {
            snapshot = _objects.Values.Select(o => o.Info).ToList();
        }

        foreach (var info in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return ListingEntry.Of(info);
        }
    }

    public async Task<ObjectInfo?> GetInfoAsync(string path, CancellationToken cancellationToken)
    {
        await EnterAsync(Ops.GetInfo, path, cancellationToken);
        lock (_gate)
        {
            return _objects.TryGetValue(path, out var o) ? o.Info : null;
        }
    }

    public async Task<Stream> OpenReadAsync(string path, long offset, long? length, CancellationToken cancellationToken)
    {
        await EnterAsync(Ops.OpenRead, path, cancellationToken);
        byte[] content;
        lock (_gate)
        {
            content = _objects.TryGetValue(path, out var o)
                ? o.Content
                : throw new StorageException(StorageErrorKind.NotFound, $"{DisplayName}: '{path}' not found", status: 404);
        }

        var slice = Slice(content, offset, length, path);
        Interlocked.Add(ref _bodyBytesRead, slice.Length);
        return new MemoryStream(slice, writable: false);
    }

    public async Task<WriteResult> WriteAsync(string path, Stream content, WriteOptions options, CancellationToken cancellationToken)
    {
        await EnterAsync(Ops.Write, path, cancellationToken);
        RelativePath.Require(path);
        var bytes = await ReadAllAsync(content, cancellationToken);
        Interlocked.Add(ref _bodyBytesWritten, bytes.Length);
        return Store(path, bytes, options, options.Sha256);
    }

    public async Task DeleteAsync(string path, WriteOptions options, CancellationToken cancellationToken)
    {
        await EnterAsync(Ops.Delete, path, cancellationToken);
        lock (_gate)
        {
            if (!_objects.TryGetValue(path, out var existing))
            {
                return;
            }

            if (options.IfMatch is { } ifMatch && ifMatch != existing.Info.Version)
            {
                throw Precondition(path, "If-Match");
            }

            _objects.Remove(path);
            _staged.Remove(path);
        }
    }

    public async Task<IReadOnlyCollection<string>> GetStagedChunksAsync(string path, CancellationToken cancellationToken)
    {
        await EnterAsync(Ops.GetStagedChunks, path, cancellationToken);
        lock (_gate)
        {
            return _staged.TryGetValue(path, out var chunks) ? chunks.Select(c => c.Key).ToList() : [];
        }
    }

    public async Task StageChunkAsync(string path, string chunkId, Stream content, CancellationToken cancellationToken)
    {
        await EnterAsync(Ops.StageChunk, path, cancellationToken);
        var bytes = await ReadAllAsync(content, cancellationToken);
        Interlocked.Add(ref _bodyBytesWritten, bytes.Length);
        Stage(path, chunkId, bytes);
    }

    public async Task<WriteResult> CommitChunksAsync(string path, IReadOnlyList<string> chunkIds, WriteOptions options, CancellationToken cancellationToken)
    {
        await EnterAsync(Ops.CommitChunks, path, cancellationToken);
        RelativePath.Require(path);
        lock (_gate)
        {
            var staged = _staged.TryGetValue(path, out var list) ? list : [];
            using var buffer = new MemoryStream();
            foreach (var id in chunkIds)
            {
                var index = staged.FindIndex(c => c.Key == id);
                if (index < 0)
                {
                    throw new StorageException(StorageErrorKind.Permanent, $"{DisplayName}: '{path}': chunk '{id}' is not staged (InvalidBlockList)", status: 400);
                }

                buffer.Write(staged[index].Value);
            }

            if (chunkIds.Count > MaxChunkCount)
            {
                throw new StorageException(StorageErrorKind.Permanent, $"{DisplayName}: '{path}': more than {MaxChunkCount} chunks", status: 400);
            }

            // Committing discards every uncommitted chunk of the path, like Put Block List.
            return Store(path, buffer.ToArray(), options, options.Sha256);
        }
    }

    public async Task<Uri> GetReadUrlAsync(string path, TimeSpan validFor, CancellationToken cancellationToken)
    {
        await EnterAsync(Ops.GetReadUrl, path, cancellationToken);
        if (!CanProvideReadUrls)
        {
            throw new StorageException(StorageErrorKind.Permanent, $"{DisplayName} cannot provide read URLs");
        }

        return new Uri($"memory://{StoreId}/{Uri.EscapeDataString(path)}");
    }

    public async Task<WriteResult> CopyFromUrlAsync(string path, Uri source, WriteOptions options, CancellationToken cancellationToken)
    {
        await EnterAsync(Ops.CopyFromUrl, path, cancellationToken);
        RelativePath.Require(path);
        var (store, sourcePath) = ResolveUrl(source);
        var snapshot = store.TryGetObject(sourcePath)
            ?? throw new StorageException(StorageErrorKind.NotFound, $"copy source '{sourcePath}' not found (CannotVerifyCopySource)", status: 404);
        if (snapshot.Content.Length > MaxSingleCopySize)
        {
            throw new StorageException(StorageErrorKind.Permanent, $"copy source '{sourcePath}' is larger than {MaxSingleCopySize} bytes", status: 409);
        }

        Interlocked.Add(ref _serverSideBytesCopied, snapshot.Content.Length);
        return Store(path, snapshot.Content, options, options.Sha256 ?? snapshot.Sha256);
    }

    public async Task StageChunkFromUrlAsync(string path, string chunkId, Uri source, long offset, long length, CancellationToken cancellationToken)
    {
        await EnterAsync(Ops.StageChunkFromUrl, path, cancellationToken);
        var (store, sourcePath) = ResolveUrl(source);
        var snapshot = store.TryGetObject(sourcePath)
            ?? throw new StorageException(StorageErrorKind.NotFound, $"copy source '{sourcePath}' not found (CannotVerifyCopySource)", status: 404);
        var slice = Slice(snapshot.Content, offset, length, sourcePath);
        Interlocked.Add(ref _serverSideBytesCopied, slice.Length);
        Stage(path, chunkId, slice);
    }

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

            var stored = NewObject(path, bytes, _time.GetUtcNow(), sha256);
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
