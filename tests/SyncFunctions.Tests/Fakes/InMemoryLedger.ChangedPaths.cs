using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Fakes;

/// <summary>Staged changed paths (blob events): a take and a removal are atomic here, the contract's strongest case.</summary>
public sealed partial class InMemoryLedger
{
    private readonly Dictionary<string, SortedDictionary<string, ChangedPath>> _changedPaths = new(StringComparer.Ordinal);

    public async Task StageChangedPathsAsync(string pairId, IReadOnlyList<string> paths, DateTimeOffset stagedAt, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(StageChangedPathsAsync), Batches(paths.Count), cancellationToken);
        foreach (var path in paths)
        {
            RelativePath.Require(path);
        }

        lock (_gate)
        {
            var rows = GetOrAdd(_changedPaths, pairId);
            foreach (var path in paths)
            {
                rows[path] = new ChangedPath(pairId, path, stagedAt);
            }
        }
    }

    public async Task<long> TakeChangedPathsAsync(string pairId, string runId, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(TakeChangedPathsAsync), 1, cancellationToken);
        lock (_gate)
        {
            if (!_changedPaths.TryGetValue(pairId, out var rows))
            {
                return 0;
            }

            foreach (var (key, path) in rows.ToList())
            {
                rows[key] = path with { TakenBy = runId };
            }

            return rows.Count;
        }
    }

    public IAsyncEnumerable<ChangedPath> ListChangedPathsAsync(string pairId, CancellationToken cancellationToken) =>
        PagesAsync(nameof(ListChangedPathsAsync), () => _changedPaths.GetValueOrDefault(pairId), cancellationToken);

    public async Task RemoveChangedPathsAsync(string pairId, string runId, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(RemoveChangedPathsAsync), 1, cancellationToken);
        lock (_gate)
        {
            if (_changedPaths.TryGetValue(pairId, out var rows))
            {
                foreach (var key in rows.Where(kv => kv.Value.TakenBy == runId).Select(kv => kv.Key).ToList())
                {
                    rows.Remove(key);
                }
            }
        }
    }

    /// <summary>Staged changed paths of a pair (a copy, ordinal by path) without counting a request.</summary>
    public IReadOnlyList<ChangedPath> ChangedPathsSnapshot(string pairId)
    {
        lock (_gate)
        {
            return _changedPaths.TryGetValue(pairId, out var rows) ? [.. rows.Values] : [];
        }
    }
}
