using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>Change-notification subscriptions: rows of the Pairs table's <c>subscription</c> partition, keyed by subscription id.</summary>
public sealed partial class TableLedger
{
    public async Task<SubscriptionRecord?> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        if (!IsKey(subscriptionId))
        {
            // A notification's id comes from the network: one no row key can hold names no stored subscription.
            return null;
        }

        var row = await GetRowAsync(_pairs, LedgerRows.SubscriptionPartition, subscriptionId, cancellationToken);
        return row is null ? null : LedgerRows.ToSubscription(row, _pairs.Name);
    }

    public async IAsyncEnumerable<SubscriptionRecord> ListSubscriptionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {LedgerRows.SubscriptionPartition}");
        await foreach (var row in QueryAsync(_pairs, filter, "list subscriptions", cancellationToken))
        {
            yield return LedgerRows.ToSubscription(row, _pairs.Name);
        }
    }

    public async Task<SubscriptionRecord?> TryAddSubscriptionAsync(SubscriptionRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        TableKeys.Require(record.SubscriptionId, "subscription id");
        var etag = await TryReplaceAsync(_pairs, LedgerRows.ToRow(record), null, cancellationToken);
        return etag is null ? null : record with { ETag = etag };
    }

    public async Task<SubscriptionRecord?> TryUpdateSubscriptionAsync(SubscriptionRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        TableKeys.Require(record.SubscriptionId, "subscription id");
        if (record.ETag is null)
        {
            return null;
        }

        var etag = await TryReplaceAsync(_pairs, LedgerRows.ToRow(record), record.ETag, cancellationToken);
        return etag is null ? null : record with { ETag = etag };
    }

    public async Task<bool> RemoveSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        if (!IsKey(subscriptionId))
        {
            return false;
        }

        var operation = $"remove {_pairs.Name}/{LedgerRows.SubscriptionPartition}/{subscriptionId}";
        try
        {
            // The Tables SDK answers a missing row with a 404 response rather than an exception.
            var response = await _pairs.DeleteEntityAsync(LedgerRows.SubscriptionPartition, subscriptionId, ETag.All, cancellationToken);
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

    private static bool IsKey(string? value)
    {
        try
        {
            TableKeys.Require(value, "key");
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
