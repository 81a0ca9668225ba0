using System.Runtime.CompilerServices;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Fakes;

/// <summary>Baseline, carry-over, paging and request counting.</summary>
public sealed partial class InMemoryLedger
{
    /// <summary>Requests per method name (<c>nameof</c> the interface method); a streamed query counts one per page.</summary>
    public IReadOnlyDictionary<string, long> Calls => new Dictionary<string, long>(_calls, StringComparer.Ordinal);

    public long CallCount(string method) => _calls.TryGetValue(method, out var n) ? n : 0;

    /// <summary>Estimated Table Storage requests: batches of 100 rows per transaction, pages of 1,000 rows per query.</summary>
    public long TableRequests => Interlocked.Read(ref _tableRequests);

    public void ResetCounters()
    {
        _calls.Clear();
        Interlocked.Exchange(ref _tableRequests, 0);
    }

    public IAsyncEnumerable<BaselineEntry> ListBaselineAsync(string pairId, CancellationToken cancellationToken) =>
        PagesAsync(nameof(ListBaselineAsync), () => _baseline.GetValueOrDefault(pairId), cancellationToken);

    public async Task<BaselineEntry?> GetBaselineAsync(string pairId, string path, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(GetBaselineAsync), 1, cancellationToken);
        lock (_gate)
        {
            return _baseline.TryGetValue(pairId, out var rows) ? rows.GetValueOrDefault(path) : null;
        }
    }

    public async Task ApplyBaselineAsync(string pairId, IReadOnlyList<BaselineEntry> upserts, IReadOnlyList<string> deletes, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(ApplyBaselineAsync), Batches(upserts.Count + deletes.Count), cancellationToken);
        if (upserts.Any(u => u.PairId != pairId))
        {
            throw new ArgumentException("every upsert must belong to the pair", nameof(upserts));
        }

        lock (_gate)
        {
            var rows = GetOrAdd(_baseline, pairId);
            foreach (var entry in upserts)
            {
                rows[entry.Path] = entry;
            }

            foreach (var path in deletes)
            {
                rows.Remove(path);
            }
        }
    }

    public IAsyncEnumerable<CarryOverEntry> ListCarryOverAsync(string pairId, CancellationToken cancellationToken) =>
        PagesAsync(nameof(ListCarryOverAsync), () => _carryOver.GetValueOrDefault(pairId), cancellationToken);

    public async Task ApplyCarryOverAsync(string pairId, IReadOnlyList<CarryOverEntry> upserts, IReadOnlyList<string> removes, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(ApplyCarryOverAsync), Batches(upserts.Count + removes.Count), cancellationToken);
        if (upserts.Any(u => u.PairId != pairId))
        {
            throw new ArgumentException("every upsert must belong to the pair", nameof(upserts));
        }

        lock (_gate)
        {
            var rows = GetOrAdd(_carryOver, pairId);
            foreach (var entry in upserts)
            {
                rows[entry.Path] = entry;
            }

            foreach (var path in removes)
            {
                rows.Remove(path);
            }
        }
    }

    /// <summary>Baseline rows of a pair (a copy, ordinal by path) without counting a request.</summary>
    public IReadOnlyList<BaselineEntry> BaselineSnapshot(string pairId)
    {
        lock (_gate)
        {
            return _baseline.TryGetValue(pairId, out var rows) ? rows.Values.ToList() : [];
        }
    }

    /// <summary>Carry-over rows of a pair (a copy) without counting a request.</summary>
    public IReadOnlyList<CarryOverEntry> CarryOverSnapshot(string pairId)
    {
        lock (_gate)
        {
            return _carryOver.TryGetValue(pairId, out var rows) ? rows.Values.ToList() : [];
        }
    }

    /// <summary>Every action of a run (a copy, by item then action id) without counting a request.</summary>
    public IReadOnlyList<ActionRecord> ActionsSnapshot(string runId)
    {
        lock (_gate)
        {
            return _actions.Where(kv => kv.Key.Run == runId)
                .OrderBy(kv => kv.Key.Item, StringComparer.Ordinal)
                .SelectMany(kv => kv.Value.Values).ToList();
        }
    }

    // Pages through a sorted partition by key, re-reading it for every page like a Table query
    // with a continuation token: rows written meanwhile after the current key are seen.
    private async IAsyncEnumerable<T> PagesAsync<T>(string method, Func<SortedDictionary<string, T>?> partition, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? after = null;
        while (true)
        {
            await EnterAsync(method, 1, cancellationToken);
            List<KeyValuePair<string, T>> page;
            lock (_gate)
            {
                var rows = partition();
                page = rows is null
                    ? []
                    : rows.SkipWhile(kv => after is not null && string.CompareOrdinal(kv.Key, after) <= 0).Take(PageSize).ToList();
            }

            foreach (var row in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return row.Value;
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            after = page[^1].Key;
        }
    }

    private async Task EnterAsync(string method, int requests, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _calls.AddOrUpdate(method, 1, (_, n) => n + 1);
        Interlocked.Add(ref _tableRequests, requests);
        if (BeforeOperation is { } before)
        {
            await before(method, cancellationToken);
        }

        if (FaultInjector?.Invoke(method) is { } fault)
        {
            throw fault;
        }

        cancellationToken.ThrowIfCancellationRequested();
    }
}
