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

        return await GetKeyedAsync(LedgerRows.SubscriptionPartition, subscriptionId, LedgerRows.ToSubscription, cancellationToken);
    }

    public IAsyncEnumerable<SubscriptionRecord> ListSubscriptionsAsync(CancellationToken cancellationToken) =>
        ListKeyedAsync(LedgerRows.SubscriptionPartition, "list subscriptions", LedgerRows.ToSubscription, cancellationToken);

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

    public Task<bool> RemoveSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken) =>
        IsKey(subscriptionId) ? RemoveRowAsync(_pairs, LedgerRows.SubscriptionPartition, subscriptionId, cancellationToken) : Task.FromResult(false);

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
