using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>
/// Staged changed paths (blob events) in SyncChangedPaths, keyed like the baseline. A take and a removal are
/// transactions of conditional writes (If-Match on the row read); one that fails on a row staged again meanwhile is
/// sent again row by row, so only that row is left for the next run.
/// </summary>
public sealed partial class TableLedger
{
    private TableClient ChangedPaths => _service.GetTableClient(TablePrefix + ChangedPathsTable);

    /// <summary>The table's name after the prefix.</summary>
    internal const string ChangedPathsTable = "SyncChangedPaths";

    public async Task StageChangedPathsAsync(string pairId, IReadOnlyList<string> paths, DateTimeOffset stagedAt, CancellationToken cancellationToken)
    {
        TableKeys.Require(pairId, "pair id");
        ArgumentNullException.ThrowIfNull(paths);
        var rows = paths.Distinct(StringComparer.Ordinal)
            .Select(p => LedgerRows.ToRow(new ChangedPath(pairId, RelativePath.Require(p), stagedAt)))
            .Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r));
        try
        {
            await SubmitByPartitionAsync(ChangedPaths, rows, cancellationToken);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            // A ledger initialized before this table existed: create it and stage again (an upsert).
            await CallAsync(() => ChangedPaths.CreateIfNotExistsAsync(cancellationToken), $"create table {ChangedPaths.Name}", cancellationToken);
            await SubmitByPartitionAsync(ChangedPaths, rows, cancellationToken);
        }
    }

    public async Task<long> TakeChangedPathsAsync(string pairId, string runId, CancellationToken cancellationToken)
    {
        TableKeys.Require(pairId, "pair id");
        TableKeys.Require(runId, "run id");
        long held = 0;
        var take = new List<TableTransactionAction>();
        await foreach (var (row, path) in ChangedPathRowsAsync(pairId, cancellationToken))
        {
            if (path.TakenBy == runId)
            {
                held++;
                continue;
            }

            var taken = LedgerRows.ToRow(path with { TakenBy = runId });
            take.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, taken, row.ETag));
        }

        return held + await SubmitConditionalAsync(take, cancellationToken);
    }

    public async IAsyncEnumerable<ChangedPath> ListChangedPathsAsync(string pairId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        TableKeys.Require(pairId, "pair id");
        await foreach (var (_, path) in ChangedPathRowsAsync(pairId, cancellationToken))
        {
            yield return path;
        }
    }

    public async Task RemoveChangedPathsAsync(string pairId, string runId, CancellationToken cancellationToken)
    {
        TableKeys.Require(pairId, "pair id");
        TableKeys.Require(runId, "run id");
        var removes = new List<TableTransactionAction>();
        await foreach (var (row, path) in ChangedPathRowsAsync(pairId, cancellationToken))
        {
            if (path.TakenBy == runId)
            {
                removes.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(row.PartitionKey, row.RowKey), row.ETag));
            }
        }

        await SubmitConditionalAsync(removes, cancellationToken);
    }

    /// <summary>The pair's rows with the record each holds, in path order; a missing table holds none.</summary>
    private async IAsyncEnumerable<(TableEntity Row, ChangedPath Path)> ChangedPathRowsAsync(string pairId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = ChangedPaths;
        var rows = ListByPathAsync(table, pairId, row => (row, LedgerRows.ToChangedPath(row, pairId, table.Name)), r => r.Item2.Path, cancellationToken);
        await foreach (var row in WhileTableExistsAsync(rows, cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }

    private static async Task SubmitByPartitionAsync(TableClient table, IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        foreach (var partition in actions.GroupBy(a => a.Entity.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var batch in partition.Chunk(MaxTransactionSize))
            {
                await CallAsync(() => table.SubmitTransactionAsync(batch, cancellationToken), $"write {batch.Length} rows of {table.Name}/{partition.Key}", cancellationToken);
            }
        }
    }

    /// <summary>
    /// Conditional writes in transactions of up to 100 per partition; a transaction that fails on a condition (a row
    /// changed or went away meanwhile) is sent again one row at a time, skipping the rows whose condition fails.
    /// Returns how many writes were applied.
    /// </summary>
    private async Task<long> SubmitConditionalAsync(List<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        var table = ChangedPaths;
        long applied = 0;
        foreach (var partition in actions.GroupBy(a => a.Entity.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var batch in partition.Chunk(MaxTransactionSize))
            {
                var operation = $"write {batch.Length} rows of {table.Name}/{partition.Key}";
                try
                {
                    await table.SubmitTransactionAsync(batch, cancellationToken);
                    applied += batch.Length;
                    continue;
                }
                catch (TableTransactionFailedException e) when (e.Status is 412 or 404)
                {
                    // One row changed since it was read: below, row by row.
                }
                catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
                {
                    throw AzureErrors.Classify(e, operation);
                }

                foreach (var action in batch)
                {
                    applied += await TryOneAsync(table, action, operation, cancellationToken) ? 1 : 0;
                }
            }
        }

        return applied;
    }

    private static async Task<bool> TryOneAsync(TableClient table, TableTransactionAction action, string operation, CancellationToken cancellationToken)
    {
        try
        {
            if (action.ActionType == TableTransactionActionType.Delete)
            {
                await table.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, action.ETag, cancellationToken);
            }
            else
            {
                await table.UpdateEntityAsync(action.Entity, action.ETag, TableUpdateMode.Replace, cancellationToken);
            }

            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return false;
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, operation);
        }
    }
}
