using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>Work items and their actions.</summary>
public sealed partial class TableLedger
{
    public async Task<bool> TryInsertActionsAsync(IReadOnlyList<ActionRecord> actions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count == 0)
        {
            return true;
        }

        if (actions.Count > MaxTransactionSize)
        {
            throw new ArgumentException($"At most {MaxTransactionSize} actions can be inserted in one transaction, not {actions.Count}.", nameof(actions));
        }

        var first = actions[0];
        TableKeys.Require(first.RunId, "run id");
        TableKeys.Require(first.ItemId, "item id");
        var batch = new List<TableTransactionAction>(actions.Count);
        foreach (var action in actions)
        {
            if (action.RunId != first.RunId || action.ItemId != first.ItemId)
            {
                throw new ArgumentException("All actions of one insert must belong to the same work item (one partition).", nameof(actions));
            }

            TableKeys.Require(action.ActionId, "action id");
            batch.Add(new TableTransactionAction(TableTransactionActionType.Add, LedgerRows.ToRow(action)));
        }

        var operation = $"write actions of work item {first.RunId}/{first.ItemId}";
        try
        {
            await _actions.SubmitTransactionAsync(batch, cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException e) when (e.Status == 409)
        {
            // One of the rows exists: another writer planned this item first; the transaction wrote nothing.
            return false;
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, operation);
        }
    }

    public async Task<WorkItemRecord?> TryInsertWorkItemAsync(WorkItemRecord item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        TableKeys.Require(item.RunId, "run id");
        TableKeys.Require(item.ItemId, "item id");
        var etag = await TryReplaceAsync(_workItems, LedgerRows.ToRow(item), etag: null, cancellationToken);
        return etag is null ? null : item with { ETag = etag };
    }

    public async IAsyncEnumerable<WorkItemRecord> ListWorkItemRangeAsync(string runId, string fromItemId, string toItemId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        TableKeys.Require(runId, "run id");
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {runId} and RowKey ge {fromItemId} and RowKey lt {toItemId}");
        await foreach (var row in QueryAsync(_workItems, filter, $"list work items of run {runId}", cancellationToken))
        {
            yield return LedgerRows.ToWorkItem(row, _workItems.Name);
        }
    }

    public async IAsyncEnumerable<WorkItemRecord> ListWorkItemsAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        TableKeys.Require(runId, "run id");
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {runId}");
        await foreach (var row in QueryAsync(_workItems, filter, $"list work items of run {runId}", cancellationToken))
        {
            yield return LedgerRows.ToWorkItem(row, _workItems.Name);
        }
    }

    public async Task<WorkItemRecord?> GetWorkItemAsync(string runId, string itemId, CancellationToken cancellationToken)
    {
        TableKeys.Require(runId, "run id");
        TableKeys.Require(itemId, "item id");
        var row = await GetRowAsync(_workItems, runId, itemId, cancellationToken);
        return row is null ? null : LedgerRows.ToWorkItem(row, _workItems.Name);
    }

    public async Task<WorkItemRecord?> TryUpdateWorkItemAsync(WorkItemRecord item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        TableKeys.Require(item.RunId, "run id");
        TableKeys.Require(item.ItemId, "item id");
        var etag = await TryReplaceAsync(_workItems, LedgerRows.ToRow(item), item.ETag, cancellationToken);
        return etag is null ? null : item with { ETag = etag };
    }

    public async Task<IReadOnlyList<ActionRecord>> GetActionsAsync(string runId, string itemId, CancellationToken cancellationToken)
    {
        TableKeys.Require(runId, "run id");
        TableKeys.Require(itemId, "item id");
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {LedgerRows.ActionPartition(runId, itemId)}");
        var actions = new List<ActionRecord>();
        await foreach (var row in QueryAsync(_actions, filter, $"read actions of work item {runId}/{itemId}", cancellationToken))
        {
            actions.Add(LedgerRows.ToAction(row, _actions.Name));
        }

        actions.Sort((a, b) => string.CompareOrdinal(a.ActionId, b.ActionId));
        return actions;
    }

    public async Task<IReadOnlyList<ActionRecord>?> TryUpdateActionsAsync(IReadOnlyList<ActionRecord> actions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count == 0)
        {
            return actions;
        }

        if (actions.Count > MaxTransactionSize)
        {
            throw new ArgumentException($"At most {MaxTransactionSize} actions can be updated in one transaction, not {actions.Count}.", nameof(actions));
        }

        var first = actions[0];
        var batch = new List<TableTransactionAction>(actions.Count);
        foreach (var action in actions)
        {
            if (action.RunId != first.RunId || action.ItemId != first.ItemId)
            {
                throw new ArgumentException("All actions of one update must belong to the same work item (one partition).", nameof(actions));
            }

            var etag = action.ETag ?? throw new ArgumentException($"Action {action.ActionId} has no ETag to match.", nameof(actions));
            batch.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, LedgerRows.ToRow(action), new ETag(etag)));
        }

        var operation = $"update actions of work item {first.RunId}/{first.ItemId}";
        try
        {
            var responses = (await _actions.SubmitTransactionAsync(batch, cancellationToken)).Value;
            var updated = new ActionRecord[actions.Count];
            for (var i = 0; i < actions.Count; i++)
            {
                var etag = responses[i].Headers.ETag?.ToString()
                    ?? throw new StorageException(StorageErrorKind.Transient, $"{operation}: the service returned no ETag");
                updated[i] = actions[i] with { ETag = etag };
            }

            return updated;
        }
        catch (TableTransactionFailedException e) when (e.Status is 412 or 404)
        {
            // Another worker changed (or removed) one of the rows; the transaction wrote nothing.
            return null;
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, operation);
        }
    }
}
