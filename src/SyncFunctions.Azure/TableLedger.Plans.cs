using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>Previewed plans: rows of the Pairs table's <c>plan</c> partition, keyed by plan id.</summary>
public sealed partial class TableLedger
{
    public async Task<PlanRecord?> GetPlanAsync(string planId, CancellationToken cancellationToken)
    {
        if (!PlanIds.IsWellFormed(planId))
        {
            return null;
        }

        return await GetKeyedAsync(LedgerRows.PlanPartition, planId, LedgerRows.ToPlan, cancellationToken);
    }

    public IAsyncEnumerable<PlanRecord> ListPlansAsync(CancellationToken cancellationToken) =>
        ListKeyedAsync(LedgerRows.PlanPartition, "list plans", LedgerRows.ToPlan, cancellationToken);

    public async Task<PlanRecord?> TryAddPlanAsync(PlanRecord plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        RequirePlanId(plan.PlanId);
        var etag = await TryReplaceAsync(_pairs, LedgerRows.ToRow(plan), null, cancellationToken);
        return etag is null ? null : plan with { ETag = etag };
    }

    public async Task<PlanRecord?> TryUpdatePlanAsync(PlanRecord plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        RequirePlanId(plan.PlanId);
        if (plan.ETag is null)
        {
            return null;
        }

        var etag = await TryReplaceAsync(_pairs, LedgerRows.ToRow(plan), plan.ETag, cancellationToken);
        return etag is null ? null : plan with { ETag = etag };
    }

    public Task<bool> RemovePlanAsync(string planId, CancellationToken cancellationToken) =>
        PlanIds.IsWellFormed(planId) ? RemoveRowAsync(_pairs, LedgerRows.PlanPartition, planId, cancellationToken) : Task.FromResult(false);

    /// <summary>One row of a keyed partition of the Pairs table (named pairs, subscriptions, plans), or null.</summary>
    private async Task<T?> GetKeyedAsync<T>(string partition, string key, Func<TableEntity, string, T> read, CancellationToken cancellationToken)
        where T : class
    {
        var row = await GetRowAsync(_pairs, partition, key, cancellationToken);
        return row is null ? null : read(row, _pairs.Name);
    }

    /// <summary>Every row of a keyed partition of the Pairs table, by key.</summary>
    private async IAsyncEnumerable<T> ListKeyedAsync<T>(string partition, string operation, Func<TableEntity, string, T> read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
        await foreach (var row in QueryAsync(_pairs, filter, operation, cancellationToken))
        {
            yield return read(row, _pairs.Name);
        }
    }

    /// <summary>Deletes one row whatever its ETag; false when it was not there.</summary>
    private static async Task<bool> RemoveRowAsync(TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var operation = $"remove {table.Name}/{partitionKey}/{rowKey}";
        try
        {
            // The Tables SDK answers a missing row with a 404 response rather than an exception.
            var response = await table.DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken);
            return response.Status != 404;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, operation);
        }
    }

    private static void RequirePlanId(string planId)
    {
        if (!PlanIds.IsWellFormed(planId))
        {
            throw new ArgumentException($"'{planId}' is not a plan id (32 lowercase hex digits)", nameof(planId));
        }
    }
}
