using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>Maintenance: staging tables listed and dropped, a run's rows deleted (actions, items, staging, run last).</summary>
public sealed partial class TableLedger
{
    private static readonly string[] KeysOnly = ["PartitionKey", "RowKey"];

    public string StagingAreaOf(string runId) => StagingTableName(TablePrefix, runId);

    public async IAsyncEnumerable<string> ListStagingAreasAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var prefix = TablePrefix + "SyncStg";
        var tables = Classified.Enumerate(_service.QueryAsync(filter: (string?)null, cancellationToken: cancellationToken), "list tables", cancellationToken);
        await foreach (var table in tables)
        {
            // A longer prefix ("t12" next to "t1") never matches: the staging part follows the prefix directly.
            if (table.Name.StartsWith(prefix, StringComparison.Ordinal) && table.Name.Length == prefix.Length + 16)
            {
                yield return table.Name;
            }
        }
    }

    public async Task<bool> DeleteStagingAreaAsync(string areaId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(areaId);
        if (!areaId.StartsWith(TablePrefix + "SyncStg", StringComparison.Ordinal) || !areaId.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException($"'{areaId}' is not a staging table of this ledger", nameof(areaId));
        }

        var table = _service.GetTableClient(areaId);
        _stagingCreated.TryRemove(areaId, out _);
        try
        {
            var response = await CallAsync(() => table.DeleteAsync(cancellationToken), $"delete table {areaId}", cancellationToken);
            return response.Status != 404;
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            return false;
        }
    }

    public async Task<RunRemoval> DeleteRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        TableKeys.Require(run.PairId, "pair id");
        TableKeys.Require(run.RunId, "run id");

        // Every action partition of the run in one range query ("run_" up to "run`", '`' following '_'), so actions
        // whose item row was never written go too; the RunId column tells this run's rows from a run named "run_x".
        var start = LedgerRows.ActionPartition(run.RunId, "");
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {start} and PartitionKey lt {run.RunId + "`"}");
        var actions = await CollectAsync(_actions, filter, ["PartitionKey", "RowKey", "RunId"], cancellationToken);
        var mine = actions.Where(a => a.GetString("RunId") == run.RunId).ToList();
        foreach (var partition in mine.GroupBy(a => a.PartitionKey, StringComparer.Ordinal))
        {
            await SubmitInParallelAsync(_actions, partition.Select(a => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(a.PartitionKey, a.RowKey), ETag.All)), cancellationToken);
        }

        var items = await CollectAsync(_workItems, TableClient.CreateQueryFilter($"PartitionKey eq {run.RunId}"), KeysOnly, cancellationToken);
        await SubmitInParallelAsync(_workItems, items.Select(i => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(i.PartitionKey, i.RowKey), ETag.All)), cancellationToken);
        await DeleteStagedChangesAsync(run.RunId, cancellationToken);
        var removed = await TryDeleteRunRowAsync(run, cancellationToken);
        return new RunRemoval(removed, items.Count, mine.Count);
    }

    private async Task<bool> TryDeleteRunRowAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var operation = $"delete {_runs.Name}/{run.PairId}/{run.RunId}";
        try
        {
            var response = await _runs.DeleteEntityAsync(run.PairId, run.RunId, run.ETag is { } etag ? new ETag(etag) : ETag.All, cancellationToken);
            return response.Status != 404;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return false;
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, operation);
        }
    }

    /// <summary>The rows of a query, read to the end before anything is deleted (deleting while paging would move the continuation).</summary>
    private static async Task<List<TableEntity>> CollectAsync(TableClient table, string filter, string[] select, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in Classified.Enumerate(table.QueryAsync<TableEntity>(filter, QueryPageSize, select, cancellationToken), $"list rows of {table.Name}", cancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }
}
