using System.Runtime.CompilerServices;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Protocol;

/// <summary>
/// The ledger of a dry run: the pair's committed state (pair row, baseline, carry-over set, item tree) is read from
/// the real ledger, and everything the run writes (its pair claim, run row, plan, staged changes, taken changed paths) stays in memory
/// and is thrown away with it. So a dry run runs the very steps of a real run, plans exactly what a real run would,
/// and changes nothing: no destination, no cursor, no ledger row.
/// </summary>
/// <remarks>Thread-safe. Writes to the baseline, the carry-over set or the tree would mean the run executed: they throw.</remarks>
public sealed class DryRunLedger(ILedger real) : ILedger
{
    private readonly object _gate = new();
    private readonly Dictionary<string, PairRecord> _pairs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunRecord> _runs = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, WorkItemRecord> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, ActionRecord>> _actions = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, ChangeItem> _staged = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _taken = new(StringComparer.Ordinal);
    private long _etag;

    /// <summary>The actions the dry run planned, in item and action order (at most <paramref name="max"/>).</summary>
    public IReadOnlyList<ActionRecord> PlannedActions(int max)
    {
        lock (_gate)
        {
            return [.. _actions.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value.Values).Take(max)];
        }
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => real.InitializeAsync(cancellationToken);

    public async Task<PairRecord> GetOrCreatePairAsync(PairRecord template, CancellationToken cancellationToken) =>
        await GetPairAsync(template.PairId, cancellationToken).ConfigureAwait(false) ?? Store(_pairs, template.PairId, template with { ActiveRunId = null });

    /// <summary>The pair as the dry run sees it: its committed cursor, and no active run (a dry run plans beside a real one).</summary>
    public async Task<PairRecord?> GetPairAsync(string pairId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_pairs.TryGetValue(pairId, out var mine))
            {
                return mine;
            }
        }

        var stored = await real.GetPairAsync(pairId, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : Store(_pairs, pairId, stored with { ActiveRunId = null, Dirty = false });
    }

    public Task<PairRecord?> TryUpdatePairAsync(PairRecord pair, CancellationToken cancellationToken) =>
        Task.FromResult(TryReplace(_pairs, pair.PairId, pair, p => p.ETag, (p, e) => p with { ETag = e }));

    /// <summary>Named pairs are read from the real ledger; a dry run never adds or removes one.</summary>
    public Task<PairDefinition?> GetDefinitionAsync(string name, CancellationToken cancellationToken) => real.GetDefinitionAsync(name, cancellationToken);

    public IAsyncEnumerable<PairDefinition> ListDefinitionsAsync(CancellationToken cancellationToken) => real.ListDefinitionsAsync(cancellationToken);

    public Task<PairDefinition?> TryAddDefinitionAsync(PairDefinition definition, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("a dry run does not add named pairs");

    public Task<bool> RemoveDefinitionAsync(string name, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("a dry run does not remove named pairs");

    /// <summary>Subscriptions are read from the real ledger; a dry run never changes one.</summary>
    public Task<SubscriptionRecord?> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken) => real.GetSubscriptionAsync(subscriptionId, cancellationToken);

    public IAsyncEnumerable<SubscriptionRecord> ListSubscriptionsAsync(CancellationToken cancellationToken) => real.ListSubscriptionsAsync(cancellationToken);

    public Task<SubscriptionRecord?> TryAddSubscriptionAsync(SubscriptionRecord record, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("a dry run does not add subscriptions");

    public Task<SubscriptionRecord?> TryUpdateSubscriptionAsync(SubscriptionRecord record, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("a dry run does not renew subscriptions");

    public Task<bool> RemoveSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("a dry run does not remove subscriptions");

    /// <summary>Plans are read from the real ledger; a dry run never stores one (the service that previews does).</summary>
    public Task<PlanRecord?> GetPlanAsync(string planId, CancellationToken cancellationToken) => real.GetPlanAsync(planId, cancellationToken);

    public IAsyncEnumerable<PlanRecord> ListPlansAsync(CancellationToken cancellationToken) => real.ListPlansAsync(cancellationToken);

    public Task<PlanRecord?> TryAddPlanAsync(PlanRecord plan, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("a dry run does not store plans");

    public Task<PlanRecord?> TryUpdatePlanAsync(PlanRecord plan, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("a dry run does not change plans");

    public Task<bool> RemovePlanAsync(string planId, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("a dry run does not remove plans");

    public Task<RunRecord> CreateRunAsync(RunRecord run, CancellationToken cancellationToken) => Task.FromResult(Store(_runs, run.RunId, run));

    public Task<RunRecord?> GetRunAsync(string pairId, string runId, CancellationToken cancellationToken) => Task.FromResult(Get(_runs, runId));

    public Task<RunRecord?> FindRunAsync(string runId, CancellationToken cancellationToken) => Task.FromResult(Get(_runs, runId));

    public Task<RunRecord?> TryUpdateRunAsync(RunRecord run, CancellationToken cancellationToken) =>
        Task.FromResult(TryReplace(_runs, run.RunId, run, r => r.ETag, (r, e) => r with { ETag = e }));

    public IAsyncEnumerable<RunRecord> ListRunsAsync(string? pairId, CancellationToken cancellationToken) => Snapshot(_runs.Values);

    public Task<bool> TryInsertActionsAsync(IReadOnlyList<ActionRecord> actions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actions);
        lock (_gate)
        {
            if (actions.Count == 0)
            {
                return Task.FromResult(true);
            }

            if (!_actions.TryGetValue(actions[0].ItemId, out var rows))
            {
                _actions[actions[0].ItemId] = rows = new SortedDictionary<string, ActionRecord>(StringComparer.Ordinal);
            }

            if (actions.Any(a => rows.ContainsKey(a.ActionId)))
            {
                return Task.FromResult(false);
            }

            foreach (var a in actions)
            {
                rows[a.ActionId] = a with { ETag = NextETag() };
            }

            return Task.FromResult(true);
        }
    }

    public Task<WorkItemRecord?> TryInsertWorkItemAsync(WorkItemRecord item, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_items.ContainsKey(item.ItemId) ? null : (WorkItemRecord?)Store(_items, item.ItemId, item));
        }
    }

    public IAsyncEnumerable<WorkItemRecord> ListWorkItemsAsync(string runId, CancellationToken cancellationToken) => Snapshot(_items.Values);

    public IAsyncEnumerable<WorkItemRecord> ListWorkItemRangeAsync(string runId, string fromItemId, string toItemId, CancellationToken cancellationToken) =>
        Snapshot(_items.Values.Where(i => string.CompareOrdinal(i.ItemId, fromItemId) >= 0 && string.CompareOrdinal(i.ItemId, toItemId) < 0));

    public Task<WorkItemRecord?> GetWorkItemAsync(string runId, string itemId, CancellationToken cancellationToken) => Task.FromResult(Get(_items, itemId));

    public Task<WorkItemRecord?> TryUpdateWorkItemAsync(WorkItemRecord item, CancellationToken cancellationToken) =>
        Task.FromResult(TryReplace(_items, item.ItemId, item, i => i.ETag, (i, e) => i with { ETag = e }));

    public Task<IReadOnlyList<ActionRecord>> GetActionsAsync(string runId, string itemId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<ActionRecord>>(_actions.TryGetValue(itemId, out var rows) ? [.. rows.Values] : []);
        }
    }

    public Task<IReadOnlyList<ActionRecord>?> TryUpdateActionsAsync(IReadOnlyList<ActionRecord> actions, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("a dry run executes no action");

    public IAsyncEnumerable<BaselineEntry> ListBaselineAsync(string pairId, CancellationToken cancellationToken) => real.ListBaselineAsync(pairId, cancellationToken);

    public Task<BaselineEntry?> GetBaselineAsync(string pairId, string path, CancellationToken cancellationToken) => real.GetBaselineAsync(pairId, path, cancellationToken);

    public IAsyncEnumerable<BaselineEntry> ListBaselineUnderAsync(string pairId, string folderPath, CancellationToken cancellationToken) =>
        real.ListBaselineUnderAsync(pairId, folderPath, cancellationToken);

    public Task ApplyBaselineAsync(string pairId, IReadOnlyList<BaselineEntry> upserts, IReadOnlyList<string> deletes, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("a dry run writes no baseline");

    public IAsyncEnumerable<CarryOverEntry> ListCarryOverAsync(string pairId, CancellationToken cancellationToken) => real.ListCarryOverAsync(pairId, cancellationToken);

    public Task ApplyCarryOverAsync(string pairId, IReadOnlyList<CarryOverEntry> upserts, IReadOnlyList<string> removes, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("a dry run writes no carry-over set");

    public Task StageChangesAsync(string runId, IReadOnlyList<ChangeItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        lock (_gate)
        {
            foreach (var item in items)
            {
                _staged[item.ItemId] = item;
            }
        }

        return Task.CompletedTask;
    }

    public IAsyncEnumerable<ChangeItem> ListStagedChangesAsync(string runId, CancellationToken cancellationToken) => Snapshot(_staged.Values);

    public Task DeleteStagedChangesAsync(string runId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _staged.Clear();
        }

        return Task.CompletedTask;
    }

    public Task<TreeEntry?> GetTreeEntryAsync(string pairId, string itemId, CancellationToken cancellationToken) => real.GetTreeEntryAsync(pairId, itemId, cancellationToken);

    public Task ApplyTreeAsync(string pairId, IReadOnlyList<TreeEntry> upserts, IReadOnlyList<string> deleteItemIds, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("a dry run writes no item tree");

    /// <summary>Maintenance reads the real ledger; a dry run removes nothing.</summary>
    public string StagingAreaOf(string runId) => real.StagingAreaOf(runId);

    public IAsyncEnumerable<string> ListStagingAreasAsync(CancellationToken cancellationToken) => real.ListStagingAreasAsync(cancellationToken);

    public Task<bool> DeleteStagingAreaAsync(string areaId, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("a dry run removes no staging area");

    public Task<RunRemoval> DeleteRunAsync(RunRecord run, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("a dry run removes no run");

    /// <summary>Staging belongs to webhooks, never to a run: a dry run stages nothing.</summary>
    public Task StageChangedPathsAsync(string pairId, IReadOnlyList<string> paths, DateTimeOffset stagedAt, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("a dry run stages no changed paths");

    /// <summary>Takes the real ledger's staged paths in the overlay only: the real rows stay for the real run.</summary>
    public async Task<long> TakeChangedPathsAsync(string pairId, string runId, CancellationToken cancellationToken)
    {
        long held = 0;
        await foreach (var path in real.ListChangedPathsAsync(pairId, cancellationToken).ConfigureAwait(false))
        {
            lock (_gate)
            {
                _taken[path.Path] = runId;
            }

            held++;
        }

        return held;
    }

    /// <summary>The real ledger's staged paths, as taken in the overlay.</summary>
    public async IAsyncEnumerable<ChangedPath> ListChangedPathsAsync(string pairId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var path in real.ListChangedPathsAsync(pairId, cancellationToken).ConfigureAwait(false))
        {
            string? taken;
            lock (_gate)
            {
                taken = _taken.GetValueOrDefault(path.Path);
            }

            yield return path with { TakenBy = taken };
        }
    }

    /// <summary>A dry run removes nothing: the next real run checks those paths.</summary>
    public Task RemoveChangedPathsAsync(string pairId, string runId, CancellationToken cancellationToken) => Task.CompletedTask;

    private string NextETag() => "dry-" + Interlocked.Increment(ref _etag).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private T Store<T>(IDictionary<string, T> table, string key, T row)
        where T : class
    {
        lock (_gate)
        {
            var stored = row switch
            {
                PairRecord p => (T)(object)(p with { ETag = NextETag() }),
                RunRecord r => (T)(object)(r with { ETag = NextETag() }),
                WorkItemRecord i => (T)(object)(i with { ETag = NextETag() }),
                _ => row,
            };
            table[key] = stored;
            return stored;
        }
    }

    private T? Get<T>(IDictionary<string, T> table, string key)
        where T : class
    {
        lock (_gate)
        {
            return table.TryGetValue(key, out var row) ? row : null;
        }
    }

    private T? TryReplace<T>(IDictionary<string, T> table, string key, T row, Func<T, string?> etagOf, Func<T, string, T> withETag)
        where T : class
    {
        lock (_gate)
        {
            if (!table.TryGetValue(key, out var current) || etagOf(current) != etagOf(row))
            {
                return null;
            }

            var stored = withETag(row, NextETag());
            table[key] = stored;
            return stored;
        }
    }

    private async IAsyncEnumerable<T> Snapshot<T>(IEnumerable<T> rows, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<T> copy;
        lock (_gate)
        {
            copy = [.. rows];
        }

        foreach (var row in copy)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return row;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
