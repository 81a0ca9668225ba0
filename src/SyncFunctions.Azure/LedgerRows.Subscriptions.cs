using Azure.Data.Tables;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>The persisted format of subscription rows (golden file: subscription.json).</summary>
internal static partial class LedgerRows
{
    /// <summary>Partition of the Pairs table holding change-notification subscriptions (row key = subscription id).</summary>
    public const string SubscriptionPartition = "subscription";

    public static TableEntity ToRow(SubscriptionRecord subscription)
    {
        var row = RowFields.NewRow(SubscriptionPartition, subscription.SubscriptionId);
        row["PairName"] = subscription.PairName;
        row["PairId"] = subscription.PairId;
        row["Source"] = subscription.Source;
        row["Resource"] = subscription.Resource;
        row["ClientState"] = subscription.ClientState;
        row.Put("ExpiresAt", subscription.ExpiresAt);
        row.Put("CreatedAt", subscription.CreatedAt);
        return row;
    }

    public static SubscriptionRecord ToSubscription(TableEntity row, string table)
    {
        row.RequireKnownSchema(table);
        return new SubscriptionRecord(
            row.RowKey,
            row.RequiredString("PairName", table),
            row.RequiredString("PairId", table),
            row.RequiredString("Source", table),
            row.RequiredString("Resource", table),
            row.RequiredString("ClientState", table),
            row.Time("ExpiresAt"),
            row.GetDateTimeOffset("CreatedAt"),
            row.ETagOf());
    }
}
