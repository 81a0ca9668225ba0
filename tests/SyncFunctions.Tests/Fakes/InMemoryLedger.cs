using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Fakes;

/// <summary>
/// An in-memory <see cref="ILedger"/> with real ETag semantics: every write returns a new ETag, CAS
/// methods return null on a mismatch (a null ETag never matches), and action updates are all-or-nothing.
/// Streams page through sorted data the way Table Storage does, so writes made while a stream is open
/// are seen by later pages.
/// </summary>
/// <remarks>
/// Thread-safe: one lock guards all data; counters are interlocked. <see cref="Calls"/> counts method
/// calls; <see cref="TableRequests"/> estimates the requests Table Storage would see (100 rows per
/// transaction, 1,000 rows per query page), so tests can assert "well under one request per small file".
/// </remarks>
public sealed partial class InMemoryLedger : ILedger
{
    /// <summary>Rows per page of a streamed query (Table Storage returns up to 1,000).</summary>
    public const int PageSize = 1000;

    /// <summary>Operations per table transaction.</summary>
    public const int BatchSize = 100;

    private static long _etagCounter;

    private readonly object _gate = new();
    private readonly Dictionary<string, PairRecord> _pairs = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, PairDefinition> _definitions = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Pair, string Run), RunRecord> _runs = [];
    private readonly Dictionary<string, SortedDictionary<string, WorkItemRecord>> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Run, string Item), SortedDictionary<string, ActionRecord>> _actions = [];
    private readonly Dictionary<string, SortedDictionary<string, BaselineEntry>> _baseline = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, CarryOverEntry>> _carryOver = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);
    private long _tableRequests;

    /// <summary>Consulted before each method with its name: a non-null result is thrown.</summary>
    public Func<string, Exception?>? FaultInjector { get; set; }

    /// <summary>Awaited before each method: lets a test block or cancel at a precise point.</summary>
    public Func<string, CancellationToken, Task>? BeforeOperation { get; set; }

    public async Task InitializeAsync(CancellationToken cancellationToken) =>
        await EnterAsync(nameof(InitializeAsync), 1, cancellationToken);

    public async Task<PairRecord> GetOrCreatePairAsync(PairRecord template, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(GetOrCreatePairAsync), 1, cancellationToken);
        lock (_gate)
        {
            if (_pairs.TryGetValue(template.PairId, out var existing))
            {
                return existing;
            }

            var stored = template with { ETag = NewETag() };
            _pairs[template.PairId] = stored;
            return stored;
        }
    }

    public async Task<PairRecord?> GetPairAsync(string pairId, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(GetPairAsync), 1, cancellationToken);
        lock (_gate)
        {
            return _pairs.GetValueOrDefault(pairId);
        }
    }

    public async Task<PairRecord?> TryUpdatePairAsync(PairRecord pair, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(TryUpdatePairAsync), 1, cancellationToken);
        lock (_gate)
        {
            if (!_pairs.TryGetValue(pair.PairId, out var current) || pair.ETag is null || current.ETag != pair.ETag)
            {
                return null;
            }

            var stored = pair with { ETag = NewETag() };
            _pairs[pair.PairId] = stored;
            return stored;
        }
    }

    public async Task<PairDefinition?> GetDefinitionAsync(string name, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(GetDefinitionAsync), 1, cancellationToken);
        lock (_gate)
        {
            return _definitions.GetValueOrDefault(name);
        }
    }

    public async IAsyncEnumerable<PairDefinition> ListDefinitionsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(ListDefinitionsAsync), 1, cancellationToken);
        PairDefinition[] all;
        lock (_gate)
        {
            all = [.. _definitions.Values];
        }

        foreach (var definition in all)
        {
            yield return definition;
        }
    }

    public async Task<PairDefinition?> TryAddDefinitionAsync(PairDefinition definition, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(TryAddDefinitionAsync), 1, cancellationToken);
        lock (_gate)
        {
            if (_definitions.ContainsKey(definition.Name))
            {
                return null;
            }

            var stored = definition with { ETag = NewETag() };
            _definitions[definition.Name] = stored;
            return stored;
        }
    }

    public async Task<bool> RemoveDefinitionAsync(string name, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(RemoveDefinitionAsync), 1, cancellationToken);
        lock (_gate)
        {
            return _definitions.Remove(name);
        }
    }

    public async Task<RunRecord> CreateRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(CreateRunAsync), 1, cancellationToken);
        lock (_gate)
        {
            if (_runs.ContainsKey((run.PairId, run.RunId)))
            {
                throw new StorageException(StorageErrorKind.PreconditionFailed, $"run '{run.RunId}' already exists", status: 409);
            }

            var stored = run with { ETag = NewETag() };
            _runs[(run.PairId, run.RunId)] = stored;
            return stored;
        }
    }

    public async Task<RunRecord?> GetRunAsync(string pairId, string runId, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(GetRunAsync), 1, cancellationToken);
        lock (_gate)
        {
            return _runs.GetValueOrDefault((pairId, runId));
        }
    }

    public async Task<RunRecord?> FindRunAsync(string runId, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(FindRunAsync), 1, cancellationToken);
        lock (_gate)
        {
            return _runs.Values.FirstOrDefault(r => r.RunId == runId);
        }
    }

    public async Task<RunRecord?> TryUpdateRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(TryUpdateRunAsync), 1, cancellationToken);
        lock (_gate)
        {
            if (!_runs.TryGetValue((run.PairId, run.RunId), out var current) || run.ETag is null || current.ETag != run.ETag)
            {
                return null;
            }

            var stored = run with { ETag = NewETag() };
            _runs[(run.PairId, run.RunId)] = stored;
            return stored;
        }
    }

    public async IAsyncEnumerable<RunRecord> ListRunsAsync(string? pairId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(ListRunsAsync), 1, cancellationToken);
        List<RunRecord> runs;
        lock (_gate)
        {
            runs = _runs.Values.Where(r => pairId is null || r.PairId == pairId)
                .OrderBy(r => r.PairId, StringComparer.Ordinal).ThenBy(r => r.RunId, StringComparer.Ordinal).ToList();
        }

        foreach (var run in runs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return run;
        }
    }

    public async Task<bool> TryInsertActionsAsync(IReadOnlyList<ActionRecord> actions, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(TryInsertActionsAsync), 1, cancellationToken);
        if (actions.Count == 0)
        {
            return true;
        }

        if (actions.Count > 100 || actions.Any(a => a.RunId != actions[0].RunId || a.ItemId != actions[0].ItemId))
        {
            throw new ArgumentException("at most 100 actions of one item", nameof(actions));
        }

        lock (_gate)
        {
            var rows = GetOrAdd(_actions, (actions[0].RunId, actions[0].ItemId));
            if (actions.Any(a => rows.ContainsKey(a.ActionId)))
            {
                return false;
            }

            foreach (var action in actions)
            {
                rows[action.ActionId] = action with { ETag = NewETag() };
            }

            return true;
        }
    }

    public async Task<WorkItemRecord?> TryInsertWorkItemAsync(WorkItemRecord item, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(TryInsertWorkItemAsync), 1, cancellationToken);
        lock (_gate)
        {
            var items = GetOrAdd(_items, item.RunId);
            if (items.ContainsKey(item.ItemId))
            {
                return null;
            }

            var stored = item with { ETag = NewETag() };
            items[item.ItemId] = stored;
            return stored;
        }
    }

    public IAsyncEnumerable<WorkItemRecord> ListWorkItemRangeAsync(string runId, string fromItemId, string toItemId, CancellationToken cancellationToken) =>
        PagesAsync(
            nameof(ListWorkItemRangeAsync),
            () => _items.TryGetValue(runId, out var items)
                ? new SortedDictionary<string, WorkItemRecord>(
                    items.Where(kv => string.CompareOrdinal(kv.Key, fromItemId) >= 0 && string.CompareOrdinal(kv.Key, toItemId) < 0).ToDictionary(),
                    StringComparer.Ordinal)
                : null,
            cancellationToken);

    public IAsyncEnumerable<WorkItemRecord> ListWorkItemsAsync(string runId, CancellationToken cancellationToken) =>
        PagesAsync(nameof(ListWorkItemsAsync), () => _items.GetValueOrDefault(runId), cancellationToken);

    public async Task<WorkItemRecord?> GetWorkItemAsync(string runId, string itemId, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(GetWorkItemAsync), 1, cancellationToken);
        lock (_gate)
        {
            return _items.TryGetValue(runId, out var items) ? items.GetValueOrDefault(itemId) : null;
        }
    }

    public async Task<WorkItemRecord?> TryUpdateWorkItemAsync(WorkItemRecord item, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(TryUpdateWorkItemAsync), 1, cancellationToken);
        lock (_gate)
        {
            if (!_items.TryGetValue(item.RunId, out var items) || !items.TryGetValue(item.ItemId, out var current)
                || item.ETag is null || current.ETag != item.ETag)
            {
                return null;
            }

            var stored = item with { ETag = NewETag() };
            items[item.ItemId] = stored;
            return stored;
        }
    }

    public async Task<IReadOnlyList<ActionRecord>> GetActionsAsync(string runId, string itemId, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(GetActionsAsync), 1, cancellationToken);
        lock (_gate)
        {
            return _actions.TryGetValue((runId, itemId), out var rows) ? rows.Values.ToList() : [];
        }
    }

    public async Task<IReadOnlyList<ActionRecord>?> TryUpdateActionsAsync(IReadOnlyList<ActionRecord> actions, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(TryUpdateActionsAsync), Math.Max(1, Batches(actions.Count)), cancellationToken);
        if (actions.Count == 0)
        {
            return [];
        }

        var key = (actions[0].RunId, actions[0].ItemId);
        if (actions.Any(a => (a.RunId, a.ItemId) != key) || actions.Count > BatchSize)
        {
            throw new ArgumentException($"one transaction holds up to {BatchSize} actions of one item", nameof(actions));
        }

        lock (_gate)
        {
            if (!_actions.TryGetValue(key, out var rows)
                || actions.Any(a => a.ETag is null || !rows.TryGetValue(a.ActionId, out var current) || current.ETag != a.ETag))
            {
                return null;
            }

            var stored = actions.Select(a => a with { ETag = NewETag() }).ToList();
            foreach (var action in stored)
            {
                rows[action.ActionId] = action;
            }

            return stored;
        }
    }

    private static string NewETag() => $"W/\"datetime'{Interlocked.Increment(ref _etagCounter):D12}'\"";

    private static int Batches(int rows) => (rows + BatchSize - 1) / BatchSize;

    private static SortedDictionary<string, TValue> GetOrAdd<TKey, TValue>(Dictionary<TKey, SortedDictionary<string, TValue>> map, TKey key)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var value))
        {
            // Ordinal: the canonical order of paths and ids (the default string comparer is culture-aware).
            value = new SortedDictionary<string, TValue>(StringComparer.Ordinal);
            map[key] = value;
        }

        return value;
    }
}
