using Azure.Data.Tables;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>The persisted format of previewed plans (golden file: plan.json).</summary>
internal static partial class LedgerRows
{
    /// <summary>Partition of the Pairs table holding previewed plans (row key = plan id).</summary>
    public const string PlanPartition = "plan";

    public static TableEntity ToRow(PlanRecord plan)
    {
        var row = RowFields.NewRow(PlanPartition, plan.PlanId);
        row["PairName"] = plan.PairName;
        row["PairId"] = plan.PairId;
        row.Put("DefinitionETag", plan.DefinitionETag);
        row.Put("PairETag", plan.PairETag);
        row["Fingerprint"] = plan.Fingerprint;
        row["Actions"] = plan.Actions;
        row["Bytes"] = plan.Bytes;
        row["Deletes"] = plan.Deletes;
        row.Put("CreatedAt", plan.CreatedAt);
        row.Put("ExpiresAt", plan.ExpiresAt);
        row.Put("AppliedRunId", plan.AppliedRunId);
        return row;
    }

    public static PlanRecord ToPlan(TableEntity row, string table)
    {
        row.RequireKnownSchema(table);
        return new PlanRecord(
            row.RowKey,
            row.RequiredString("PairName", table),
            row.RequiredString("PairId", table),
            row.GetString("DefinitionETag"),
            row.GetString("PairETag"),
            row.RequiredString("Fingerprint", table),
            row.GetInt64("Actions") ?? 0,
            row.GetInt64("Bytes") ?? 0,
            row.GetInt64("Deletes") ?? 0,
            row.Time("CreatedAt"),
            row.Time("ExpiresAt"),
            row.GetString("AppliedRunId"),
            row.ETagOf());
    }
}
