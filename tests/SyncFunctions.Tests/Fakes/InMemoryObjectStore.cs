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
public sealed partial class InMemoryObjectStore : IObjectStore, IChunkedWriter, IReadUrlProvider, IServerSideCopy, IStagedChunkCleaner
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

    /// <summary>False: writes keep no SHA-256, so listings and infos report none (as a local folder).</summary>
    public bool KeepsHashes { get; init; } = true;

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
}
