using System.Collections.Concurrent;

namespace SyncFunctions.GraphDev;

/// <summary>
/// Counts the requests the server received, by route and method, so a benchmark can count Graph
/// requests at the server. API calls (Graph, "/v1.0") and content-host calls (download/upload URLs,
/// copy monitors) are counted separately. Thread-safe.
/// </summary>
public sealed class RequestLog
{
    private readonly ConcurrentDictionary<(GraphRoute Route, string Method), int> _counts = new();
    private int _api;
    private int _content;

    /// <summary>Requests to the Graph API (everything under /v1.0).</summary>
    public int ApiRequests => Volatile.Read(ref _api);

    /// <summary>Requests to the content host (downloads, upload fragments, monitors).</summary>
    public int ContentRequests => Volatile.Read(ref _content);

    /// <summary>All requests.</summary>
    public int Total => ApiRequests + ContentRequests;

    /// <summary>Requests of one route (any method when <paramref name="method"/> is null).</summary>
    public int Count(GraphRoute route, string? method = null) =>
        _counts.Where(p => p.Key.Route == route && (method is null || string.Equals(p.Key.Method, method, StringComparison.OrdinalIgnoreCase)))
               .Sum(p => p.Value);

    /// <summary>Counts keyed "ROUTE METHOD" (e.g. "Delta GET"), for printing.</summary>
    public IReadOnlyDictionary<string, int> Snapshot() =>
        _counts.ToDictionary(p => $"{p.Key.Route} {p.Key.Method}", p => p.Value, StringComparer.Ordinal);

    /// <summary>Starts counting from zero.</summary>
    public void Reset()
    {
        _counts.Clear();
        Interlocked.Exchange(ref _api, 0);
        Interlocked.Exchange(ref _content, 0);
    }

    internal void Record(GraphRequestInfo request)
    {
        _counts.AddOrUpdate((request.Route, request.Method), 1, (_, n) => n + 1);
        Interlocked.Increment(ref request.IsContentHost ? ref _content : ref _api);
    }
}
