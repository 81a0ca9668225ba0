using System.Collections.Concurrent;
using System.Security.Cryptography;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Fakes;

/// <summary>Counters, operation names and the seeding / inspection helpers tests use.</summary>
public sealed partial class InMemoryObjectStore
{
    private readonly ConcurrentDictionary<string, long> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _writes = new(StringComparer.Ordinal);
    private long _bodyBytesWritten;
    private long _bodyBytesRead;
    private long _serverSideBytesCopied;

    /// <summary>Operation names as passed to the hooks and counted in <see cref="Requests"/>.</summary>
    public static class Ops
    {
        public const string List = "List";
        public const string GetInfo = "GetInfo";
        public const string OpenRead = "OpenRead";
        public const string Write = "Write";
        public const string Delete = "Delete";
        public const string GetStagedChunks = "GetStagedChunks";
        public const string StageChunk = "StageChunk";
        public const string CommitChunks = "CommitChunks";
        public const string GetReadUrl = "GetReadUrl";
        public const string CopyFromUrl = "CopyFromUrl";
        public const string StageChunkFromUrl = "StageChunkFromUrl";
        public const string GetStagedChunkState = "GetStagedChunkState";
        public const string DiscardUncommitted = "DiscardUncommitted";
    }

    /// <summary>Requests by operation name (every attempt counts, also the ones a fault failed).</summary>
    public IReadOnlyDictionary<string, long> Requests => new Dictionary<string, long>(_requests, StringComparer.Ordinal);

    /// <summary>Requests of one operation.</summary>
    public long RequestCount(string op) => _requests.TryGetValue(op, out var n) ? n : 0;

    public long TotalRequests => _requests.Values.Sum();

    /// <summary>Body bytes received through <see cref="WriteAsync"/> and <see cref="StageChunkAsync"/> (not server-side copies).</summary>
    public long BodyBytesWritten => Interlocked.Read(ref _bodyBytesWritten);

    /// <summary>Body bytes handed out by <see cref="OpenReadAsync"/>.</summary>
    public long BodyBytesRead => Interlocked.Read(ref _bodyBytesRead);

    /// <summary>Bytes this store copied server-side (copy from URL, stage from URL).</summary>
    public long ServerSideBytesCopied => Interlocked.Read(ref _serverSideBytesCopied);

    /// <summary>Successful content writes (write, commit, copy) per path: "uploaded exactly once" is a count of 1.</summary>
    public IReadOnlyDictionary<string, int> WriteCounts => new Dictionary<string, int>(_writes, StringComparer.Ordinal);

    public int WriteCount(string path) => _writes.TryGetValue(path, out var n) ? n : 0;

    /// <summary>Resets every counter (not the content): lets a test measure one run.</summary>
    public void ResetCounters()
    {
        _requests.Clear();
        _writes.Clear();
        Interlocked.Exchange(ref _bodyBytesWritten, 0);
        Interlocked.Exchange(ref _bodyBytesRead, 0);
        Interlocked.Exchange(ref _serverSideBytesCopied, 0);
    }

    /// <summary>
    /// Seeds an object directly (no request counted, no hook); returns its info with a fresh ETag.
    /// <c>sha256</c> is the metadata hash: <c>"auto"</c> (default) computes it, null leaves it unknown.
    /// </summary>
    public ObjectInfo Put(string path, byte[] content, DateTimeOffset? lastModified = null, string? sha256 = "auto")
    {
        RelativePath.Require(path);
        var hash = sha256 == "auto" ? Convert.ToHexStringLower(SHA256.HashData(content)) : sha256;
        var stored = NewObject(path, content.ToArray(), lastModified ?? _time.GetUtcNow(), hash);
        lock (_gate)
        {
            _objects[path] = stored;
        }

        return stored.Info;
    }

    /// <summary>Content at <paramref name="path"/>, or null.</summary>
    public byte[]? TryGet(string path) => TryGetObject(path)?.Content.ToArray();

    /// <summary>Info at <paramref name="path"/> without counting a request, or null.</summary>
    public ObjectInfo? TryGetInfo(string path) => TryGetObject(path)?.Info;

    /// <summary>Removes an object directly (a change made by someone else); true when it existed.</summary>
    public bool Remove(string path)
    {
        lock (_gate)
        {
            return _objects.Remove(path);
        }
    }

    /// <summary>Paths of every object, in ordinal order.</summary>
    public IReadOnlyList<string> Paths
    {
        get
        {
            lock (_gate)
            {
                return _objects.Keys.ToList();
            }
        }
    }

    /// <summary>Every object's content by path (a copy).</summary>
    public IReadOnlyDictionary<string, byte[]> Snapshot()
    {
        lock (_gate)
        {
            return _objects.ToDictionary(kv => kv.Key, kv => kv.Value.Content.ToArray(), StringComparer.Ordinal);
        }
    }

    /// <summary>Chunk ids staged for a path, without counting a request.</summary>
    public IReadOnlyList<string> StagedChunkIds(string path)
    {
        lock (_gate)
        {
            return _staged.TryGetValue(path, out var list) ? list.Select(c => c.Key).ToList() : [];
        }
    }

    private StoredObject? TryGetObject(string path)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(path, out var o) ? o : null;
        }
    }
}
