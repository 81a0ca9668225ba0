using System.Collections.Concurrent;
using System.Security.Cryptography;
using SyncFunctions.GraphDev.Model;

namespace SyncFunctions.GraphDev.Http;

/// <summary>
/// An upload session: where the file goes, the bytes received so far (staged, never visible until
/// the last fragment commits) and its expiry. <see cref="Gate"/> serialises fragments of one session.
/// </summary>
internal sealed class UploadSession(string id, string baseId, string? relativePath, PutRequest request)
{
    public string Id { get; } = id;

    /// <summary>The parent (or base) item for a new file, or the existing file when <see cref="RelativePath"/> is null.</summary>
    public string BaseId { get; } = baseId;

    public string? RelativePath { get; } = relativePath;

    public PutRequest Request { get; } = request;

    public long? DeclaredSize { get; init; }

    public bool DeferCommit { get; init; }

    public DateTimeOffset Expires { get; set; }

    /// <summary>Total length, fixed by the first fragment's Content-Range.</summary>
    public long? Total { get; set; }

    public StagingBuffer? Staging { get; set; }

    public long Received => Staging?.Length ?? 0;

    /// <summary>Never disposed: a semaphore without a wait handle holds no unmanaged resource.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);
}

/// <summary>Live upload sessions by their unguessable id (the "pre-authenticated" part of the URL). Thread-safe.</summary>
internal sealed class UploadSessionStore(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, UploadSession> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public static string NewId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    public void Add(UploadSession session)
    {
        PurgeExpired();
        _sessions[session.Id] = session;
    }

    /// <summary>The live session, or 404 itemNotFound (unknown, cancelled, committed or expired).</summary>
    public UploadSession Get(string id)
    {
        if (_sessions.TryGetValue(id, out var session))
        {
            if (session.Expires >= time.GetUtcNow())
            {
                return session;
            }

            Remove(id);
        }

        throw new GraphDevException(404, "itemNotFound", "The upload session was not found or has expired.", "uploadSessionNotFound");
    }

    public void Remove(string id)
    {
        if (_sessions.TryRemove(id, out var session))
        {
            // Disposal waits for nobody: a fragment in flight holds the gate and owns the staging until it ends.
            session.Staging?.Dispose();
        }
    }

    /// <summary>Drops every session (tests use it to simulate expiry without a fake clock).</summary>
    public void Clear()
    {
        foreach (var id in _sessions.Keys)
        {
            Remove(id);
        }
    }

    private void PurgeExpired()
    {
        var now = time.GetUtcNow();
        foreach (var (id, session) in _sessions)
        {
            if (session.Expires < now)
            {
                Remove(id);
            }
        }
    }
}
