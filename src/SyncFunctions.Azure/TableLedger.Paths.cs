using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>Baseline and carry-over: path-keyed rows of a pair, listed in canonical (ordinal) path order.</summary>
public sealed partial class TableLedger
{
    public IAsyncEnumerable<BaselineEntry> ListBaselineAsync(string pairId, CancellationToken cancellationToken)
    {
        TableKeys.Require(pairId, "pair id");
        return ListByPathAsync(_baseline, pairId, row => LedgerRows.ToBaseline(row, pairId, _baseline.Name), e => e.Path, cancellationToken);
    }

    public async Task<BaselineEntry?> GetBaselineAsync(string pairId, string path, CancellationToken cancellationToken)
    {
        TableKeys.Require(pairId, "pair id");
        ArgumentNullException.ThrowIfNull(path);
        var (pk, rk) = LedgerRows.PathKey(pairId, path);
        var row = await GetRowAsync(_baseline, pk, rk, cancellationToken);

        // An overflow key is a hash: compare the stored path so a (theoretical) collision is not misread.
        return row is not null && row.GetString("Path") == path ? LedgerRows.ToBaseline(row, pairId, _baseline.Name) : null;
    }

    public Task ApplyBaselineAsync(string pairId, IReadOnlyList<BaselineEntry> upserts, IReadOnlyList<string> deletes, CancellationToken cancellationToken)
    {
        TableKeys.Require(pairId, "pair id");
        ArgumentNullException.ThrowIfNull(upserts);
        ArgumentNullException.ThrowIfNull(deletes);
        var rows = upserts.Select(e => e.PairId == pairId
            ? LedgerRows.ToRow(e)
            : throw new ArgumentException($"Baseline entry '{e.Path}' belongs to pair {e.PairId}, not {pairId}.", nameof(upserts)));
        return ApplyByPathAsync(_baseline, pairId, rows, deletes, cancellationToken);
    }

    public IAsyncEnumerable<CarryOverEntry> ListCarryOverAsync(string pairId, CancellationToken cancellationToken)
    {
        TableKeys.Require(pairId, "pair id");
        return ListByPathAsync(_carryOver, pairId, row => LedgerRows.ToCarryOver(row, pairId, _carryOver.Name), e => e.Path, cancellationToken);
    }

    public Task ApplyCarryOverAsync(string pairId, IReadOnlyList<CarryOverEntry> upserts, IReadOnlyList<string> removes, CancellationToken cancellationToken)
    {
        TableKeys.Require(pairId, "pair id");
        ArgumentNullException.ThrowIfNull(upserts);
        ArgumentNullException.ThrowIfNull(removes);
        var rows = upserts.Select(e => e.PairId == pairId
            ? LedgerRows.ToRow(e)
            : throw new ArgumentException($"Carry-over entry '{e.Path}' belongs to pair {e.PairId}, not {pairId}.", nameof(upserts)));
        return ApplyByPathAsync(_carryOver, pairId, rows, removes, cancellationToken);
    }

    /// <summary>
    /// Streams the pair's main partition (row-key order = path order) and merges in the overflow partition,
    /// which holds only paths too long for a row key and is read whole and sorted first.
    /// </summary>
    private static async IAsyncEnumerable<T> ListByPathAsync<T>(
        TableClient table,
        string pairId,
        Func<TableEntity, T> map,
        Func<T, string> pathOf,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var overflow = new List<T>();
        var overflowFilter = TableClient.CreateQueryFilter($"PartitionKey eq {pairId + LedgerRows.OverflowSuffix}");
        await foreach (var row in QueryAsync(table, overflowFilter, $"list overflow rows of pair {pairId}", cancellationToken))
        {
            overflow.Add(map(row));
        }

        overflow.Sort((a, b) => string.CompareOrdinal(pathOf(a), pathOf(b)));
        var next = 0;

        // Row keys sort like their paths; a service that sorts keys by code point instead of UTF-16 is fixed up here.
        var reorder = new OrdinalReorderBuffer<T>(pathOf);
        var ready = new List<T>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {pairId}");
        var rows = QueryAsync(table, filter, $"list rows of pair {pairId}", cancellationToken);
        await using var enumerator = rows.GetAsyncEnumerator(cancellationToken);
        var more = true;
        while (more)
        {
            more = await enumerator.MoveNextAsync();
            if (more)
            {
                reorder.Add(map(enumerator.Current), ready);
            }
            else
            {
                reorder.Complete(ready);
            }

            foreach (var item in ready)
            {
                while (next < overflow.Count && string.CompareOrdinal(pathOf(overflow[next]), pathOf(item)) < 0)
                {
                    yield return overflow[next++];
                }

                yield return item;
            }

            ready.Clear();
        }

        while (next < overflow.Count)
        {
            yield return overflow[next++];
        }
    }

    /// <summary>
    /// Upserts then deletes (a path in both is deleted), in transactions of up to 100 rows per partition.
    /// Deleting a missing row is not an error.
    /// </summary>
    private static async Task ApplyByPathAsync(
        TableClient table, string pairId, IEnumerable<TableEntity> upserts, IEnumerable<string> deletes, CancellationToken cancellationToken)
    {
        var operations = new Dictionary<(string Pk, string Rk), TableTransactionAction>();
        foreach (var row in upserts)
        {
            operations[(row.PartitionKey, row.RowKey)] = new TableTransactionAction(TableTransactionActionType.UpsertReplace, row);
        }

        foreach (var path in deletes)
        {
            ArgumentNullException.ThrowIfNull(path, nameof(deletes));
            var key = LedgerRows.PathKey(pairId, path);
            operations[key] = new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(key.PartitionKey, key.RowKey), ETag.All);
        }

        foreach (var partition in operations.Values.GroupBy(a => a.Entity.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var batch in partition.Chunk(MaxTransactionSize))
            {
                await SubmitTolerantAsync(table, batch, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Submits one transaction. A delete of a row that is already gone fails the whole transaction with 404,
    /// so then the upserts go again as one transaction and the deletes one by one (a single delete of a
    /// missing row succeeds).
    /// </summary>
    private static async Task SubmitTolerantAsync(TableClient table, TableTransactionAction[] batch, CancellationToken cancellationToken)
    {
        var operation = $"write {batch.Length} rows of {table.Name}/{batch[0].Entity.PartitionKey}";
        try
        {
            await table.SubmitTransactionAsync(batch, cancellationToken);
            return;
        }
        catch (TableTransactionFailedException e) when (e.Status == 404)
        {
            // Handled below, outside the catch, so its own failures are classified normally.
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, operation);
        }

        var upserts = batch.Where(a => a.ActionType != TableTransactionActionType.Delete).ToList();
        if (upserts.Count > 0)
        {
            await CallAsync(() => table.SubmitTransactionAsync(upserts, cancellationToken), operation, cancellationToken);
        }

        foreach (var delete in batch.Where(a => a.ActionType == TableTransactionActionType.Delete))
        {
            await CallAsync(
                () => table.DeleteEntityAsync(delete.Entity.PartitionKey, delete.Entity.RowKey, ETag.All, cancellationToken),
                operation,
                cancellationToken);
        }
    }
}
