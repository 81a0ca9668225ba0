using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>
/// Change-feed support: per-run staging of feed items (a SyncStg table per run), the item-id tree of a pair (SyncTree),
/// and the key-range listing of one folder's baseline rows.
/// </summary>
public sealed partial class TableLedger
{
    /// <summary>
    /// Transactions of one call sent at once: rows of one call are distinct, so their order does not matter,
    /// and a 100k-item enumeration or cleanup is not bound by one round trip per 100 rows.
    /// </summary>
    private const int ParallelTransactions = 4;

    /// <summary>Staging tables this ledger created (or found): created once per run and process.</summary>
    private readonly ConcurrentDictionary<string, byte> _stagingCreated = new(StringComparer.Ordinal);

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

    /// <summary>The staging table of <paramref name="runId"/>: one table per run (see <see cref="StagingTableName"/>).</summary>
    private TableClient Staging(string runId) => _service.GetTableClient(StagingTableName(TablePrefix, runId));

    /// <summary>
    /// Each run stages into a table of its own, so the end of a 100,000-item run drops one table instead of
    /// reading and deleting 100,000 rows. The name is the prefix, "SyncStg" and 16 hex digits of the SHA-256 of the
    /// run id (table names hold letters and digits only; at most 40 + 7 + 16 = 63 characters).
    /// </summary>
    public static string StagingTableName(string tablePrefix, string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(runId));
        return tablePrefix + "SyncStg" + Convert.ToHexStringLower(hash, 0, 8);
    }

    public async Task StageChangesAsync(string runId, IReadOnlyList<ChangeItem> items, CancellationToken cancellationToken)
    {
        TableKeys.Require(runId, "run id");
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return;
        }

        // One transaction cannot touch a row twice, and the last report of an item wins.
        var rows = new Dictionary<string, TableTransactionAction>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var row = LedgerRows.ToRow(runId, item);
            rows[row.RowKey] = new TableTransactionAction(TableTransactionActionType.UpsertReplace, row);
        }

        var table = Staging(runId);
        if (_stagingCreated.TryAdd(table.Name, 0))
        {
            try
            {
                await CallAsync(() => table.CreateIfNotExistsAsync(cancellationToken), $"create table {table.Name}", cancellationToken);
            }
            catch
            {
                _stagingCreated.TryRemove(table.Name, out _);
                throw;
            }
        }

        await SubmitInParallelAsync(table, rows.Values, cancellationToken);
    }

    /// <summary>A run that staged nothing (or whose staging was dropped) has no table: an empty listing.</summary>
    public async IAsyncEnumerable<ChangeItem> ListStagedChangesAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        TableKeys.Require(runId, "run id");
        var table = Staging(runId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {runId}");
        var rows = QueryAsync(table, filter, $"list staged changes of run {runId}", cancellationToken);
        var items = InOrdinalOrderAsync(rows, row => LedgerRows.ToChangeItem(row, table.Name), item => item.ItemId, cancellationToken);
        await foreach (var item in WhileTableExistsAsync(items, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    /// <summary>Drops the run's staging table (one request, whatever it holds); a missing table is fine.</summary>
    public async Task DeleteStagedChangesAsync(string runId, CancellationToken cancellationToken)
    {
        TableKeys.Require(runId, "run id");
        var table = Staging(runId);
        try
        {
            await CallAsync(() => table.DeleteAsync(cancellationToken), $"delete table {table.Name}", cancellationToken);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            // Never created (nothing staged) or dropped already by an earlier attempt.
        }

        _stagingCreated.TryRemove(table.Name, out _);
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

    /// <summary>The rows of <paramref name="rows"/>; a table that does not exist (yet, or any more) holds none.</summary>
    private static async IAsyncEnumerable<T> WhileTableExistsAsync<T>(IAsyncEnumerable<T> rows, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var e = rows.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await e.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (StorageException ex) when (ex.Kind == StorageErrorKind.NotFound)
            {
                yield break;
            }

            yield return e.Current;
        }
    }
}
