using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>
/// Change-feed support: per-run staging of feed items (SyncStaging), the item-id tree of a pair (SyncTree),
/// and the key-range listing of one folder's baseline rows.
/// </summary>
public sealed partial class TableLedger
{
    /// <summary>
    /// Transactions of one call sent at once: rows of one call are distinct, so their order does not matter,
    /// and a 100k-item enumeration or cleanup is not bound by one round trip per 100 rows.
    /// </summary>
    private const int ParallelTransactions = 4;

    /// <summary>
    /// Reads the rows under <paramref name="folderPath"/> with a row-key range instead of a partition scan:
    /// the codec keeps ordinal order, so the paths starting with folder + "/" are exactly the keys from
    /// Encode(folder + "/") up to, not including, Encode(folder + "0") ('0' is the code unit after '/').
    /// Overflow rows (paths too long for a key) are filtered by path and merged in.
    /// </summary>
    public IAsyncEnumerable<BaselineEntry> ListBaselineUnderAsync(string pairId, string folderPath, CancellationToken cancellationToken)
    {
        TableKeys.Require(pairId, "pair id");
        ArgumentNullException.ThrowIfNull(folderPath);
        return ListBaselineUnderCoreAsync(pairId, folderPath, cancellationToken);
    }

    public async Task StageChangesAsync(string runId, IReadOnlyList<ChangeItem> items, CancellationToken cancellationToken)
    {
        TableKeys.Require(runId, "run id");
        ArgumentNullException.ThrowIfNull(items);

        // One transaction cannot touch a row twice, and the last report of an item wins.
        var rows = new Dictionary<string, TableTransactionAction>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var row = LedgerRows.ToRow(runId, item);
            rows[row.RowKey] = new TableTransactionAction(TableTransactionActionType.UpsertReplace, row);
        }

        await SubmitInParallelAsync(_staging, rows.Values, cancellationToken);
    }

    public IAsyncEnumerable<ChangeItem> ListStagedChangesAsync(string runId, CancellationToken cancellationToken)
    {
        TableKeys.Require(runId, "run id");
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {runId}");
        var rows = QueryAsync(_staging, filter, $"list staged changes of run {runId}", cancellationToken);
        return InOrdinalOrderAsync(rows, row => LedgerRows.ToChangeItem(row, _staging.Name), item => item.ItemId, cancellationToken);
    }

    /// <summary>Deletes the run's partition page by page (keys only), so a 100k-item run is never held in memory.</summary>
    public async Task DeleteStagedChangesAsync(string runId, CancellationToken cancellationToken)
    {
        TableKeys.Require(runId, "run id");
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {runId}");
        var keys = Classified.Enumerate(
            _staging.QueryAsync<TableEntity>(filter, QueryPageSize, [nameof(TableEntity.PartitionKey), nameof(TableEntity.RowKey)], cancellationToken),
            $"list staged changes of run {runId} to delete ({_staging.Name})",
            cancellationToken);
        var batches = keys
            .Select(row => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(row.PartitionKey, row.RowKey), ETag.All))
            .Chunk(MaxTransactionSize);
        await Parallel.ForEachAsync(
            batches,
            new ParallelOptions { MaxDegreeOfParallelism = ParallelTransactions, CancellationToken = cancellationToken },
            async (batch, token) => await SubmitTolerantAsync(_staging, batch, token));
    }

    public async Task<TreeEntry?> GetTreeEntryAsync(string pairId, string itemId, CancellationToken cancellationToken)
    {
        TableKeys.Require(pairId, "pair id");
        var row = await GetRowAsync(_tree, pairId, LedgerRows.ItemKey(itemId), cancellationToken);
        return row is null ? null : LedgerRows.ToTreeEntry(row, _tree.Name);
    }

    /// <summary>Upserts then deletes (an id in both is deleted); deleting a missing row is not an error.</summary>
    public async Task ApplyTreeAsync(string pairId, IReadOnlyList<TreeEntry> upserts, IReadOnlyList<string> deleteItemIds, CancellationToken cancellationToken)
    {
        TableKeys.Require(pairId, "pair id");
        ArgumentNullException.ThrowIfNull(upserts);
        ArgumentNullException.ThrowIfNull(deleteItemIds);
        var operations = new Dictionary<string, TableTransactionAction>(StringComparer.Ordinal);
        foreach (var entry in upserts)
        {
            if (entry.PairId != pairId)
            {
                throw new ArgumentException($"Tree entry '{entry.ItemId}' belongs to pair {entry.PairId}, not {pairId}.", nameof(upserts));
            }

            var row = LedgerRows.ToRow(entry);
            operations[row.RowKey] = new TableTransactionAction(TableTransactionActionType.UpsertReplace, row);
        }

        foreach (var itemId in deleteItemIds)
        {
            var key = LedgerRows.ItemKey(itemId);
            operations[key] = new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(pairId, key), ETag.All);
        }

        await SubmitInParallelAsync(_tree, operations.Values, cancellationToken);
    }

    private async IAsyncEnumerable<BaselineEntry> ListBaselineUnderCoreAsync(
        string pairId, string folderPath, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var prefix = folderPath + "/";
        var overflow = new List<BaselineEntry>();
        var overflowFilter = TableClient.CreateQueryFilter($"PartitionKey eq {pairId + LedgerRows.OverflowSuffix}");
        await foreach (var row in QueryAsync(_baseline, overflowFilter, $"list overflow rows of pair {pairId}", cancellationToken))
        {
            // Filter on the raw property first: most overflow rows lie elsewhere and need no mapping.
            if (row.GetString("Path") is { } path && path.StartsWith(prefix, StringComparison.Ordinal))
            {
                overflow.Add(LedgerRows.ToBaseline(row, pairId, _baseline.Name));
            }
        }

        overflow.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        var lower = TableKeyCodec.Encode(prefix);

        // Every key under the folder is longer than the lower bound: when that does not fit, all are overflow rows.
        IAsyncEnumerable<BaselineEntry> main = AsyncEnumerable.Empty<BaselineEntry>();
        if (TableKeyCodec.Fits(lower))
        {
            var upper = TableKeyCodec.Encode(folderPath + "0");
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {pairId} and RowKey ge {lower} and RowKey lt {upper}");
            var rows = QueryAsync(_baseline, filter, $"list rows of pair {pairId} under a folder", cancellationToken);
            main = InOrdinalOrderAsync(rows, row => LedgerRows.ToBaseline(row, pairId, _baseline.Name), e => e.Path, cancellationToken);
        }

        var next = 0;
        await foreach (var entry in main)
        {
            while (next < overflow.Count && string.CompareOrdinal(overflow[next].Path, entry.Path) < 0)
            {
                yield return overflow[next++];
            }

            yield return entry;
        }

        while (next < overflow.Count)
        {
            yield return overflow[next++];
        }
    }

    /// <summary>Maps rows listed in key order and fixes up a service that sorts keys by code point instead of UTF-16.</summary>
    private static async IAsyncEnumerable<T> InOrdinalOrderAsync<T>(
        IAsyncEnumerable<TableEntity> rows, Func<TableEntity, T> map, Func<T, string> keyOf, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reorder = new OrdinalReorderBuffer<T>(keyOf);
        var ready = new List<T>();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            reorder.Add(map(row), ready);
            foreach (var item in ready)
            {
                yield return item;
            }

            ready.Clear();
        }

        reorder.Complete(ready);
        foreach (var item in ready)
        {
            yield return item;
        }
    }

    /// <summary>Sends distinct rows of one partition as transactions of up to 100, a few at a time.</summary>
    private static Task SubmitInParallelAsync(TableClient table, IEnumerable<TableTransactionAction> operations, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            operations.Chunk(MaxTransactionSize),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelTransactions, CancellationToken = cancellationToken },
            async (batch, token) => await SubmitTolerantAsync(table, batch, token));
}
