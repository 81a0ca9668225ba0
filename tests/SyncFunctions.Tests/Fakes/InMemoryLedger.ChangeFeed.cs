using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Fakes;

/// <summary>Change-feed staging, the item-id tree and prefix listing of the baseline.</summary>
public sealed partial class InMemoryLedger
{
    private readonly Dictionary<string, SortedDictionary<string, ChangeItem>> _staged = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, TreeEntry>> _tree = new(StringComparer.Ordinal);

    public IAsyncEnumerable<BaselineEntry> ListBaselineUnderAsync(string pairId, string folderPath, CancellationToken cancellationToken)
    {
        var prefix = folderPath + "/";
        return PagesAsync(
            nameof(ListBaselineUnderAsync),
            () => _baseline.TryGetValue(pairId, out var rows)
                ? new SortedDictionary<string, BaselineEntry>(rows.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal)
                : null,
            cancellationToken);
    }

    public async Task StageChangesAsync(string runId, IReadOnlyList<ChangeItem> items, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(StageChangesAsync), Batches(items.Count), cancellationToken);
        lock (_gate)
        {
            var rows = GetOrAdd(_staged, runId);
            foreach (var item in items)
            {
                rows[item.ItemId] = item;
            }
        }
    }

    public IAsyncEnumerable<ChangeItem> ListStagedChangesAsync(string runId, CancellationToken cancellationToken) =>
        PagesAsync(nameof(ListStagedChangesAsync), () => _staged.GetValueOrDefault(runId), cancellationToken);

    public async Task DeleteStagedChangesAsync(string runId, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(DeleteStagedChangesAsync), 1, cancellationToken);
        lock (_gate)
        {
            _staged.Remove(runId);
        }
    }

    public async Task<TreeEntry?> GetTreeEntryAsync(string pairId, string itemId, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(GetTreeEntryAsync), 1, cancellationToken);
        lock (_gate)
        {
            return _tree.TryGetValue(pairId, out var rows) ? rows.GetValueOrDefault(itemId) : null;
        }
    }

    public async Task ApplyTreeAsync(string pairId, IReadOnlyList<TreeEntry> upserts, IReadOnlyList<string> deleteItemIds, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(ApplyTreeAsync), Batches(upserts.Count + deleteItemIds.Count), cancellationToken);
        lock (_gate)
        {
            var rows = GetOrAdd(_tree, pairId);
            foreach (var entry in upserts)
            {
                rows[entry.ItemId] = entry;
            }

            foreach (var id in deleteItemIds)
            {
                rows.Remove(id);
            }
        }
    }

    /// <summary>The tree rows of a pair (a copy) without counting a request.</summary>
    public IReadOnlyList<TreeEntry> TreeSnapshot(string pairId)
    {
        lock (_gate)
        {
            return _tree.TryGetValue(pairId, out var rows) ? rows.Values.ToList() : [];
        }
    }
}
