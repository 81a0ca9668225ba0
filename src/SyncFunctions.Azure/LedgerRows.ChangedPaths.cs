using Azure.Data.Tables;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>Row format of staged changed paths (SyncChangedPaths: PK pair id, RK encoded path, overflow like the baseline).</summary>
internal static partial class LedgerRows
{
    public static TableEntity ToRow(ChangedPath path)
    {
        var (pk, rk) = PathKey(path.PairId, path.Path);
        var row = RowFields.NewRow(pk, rk);
        row["Path"] = path.Path;
        row.Put("StagedAt", path.StagedAt);
        row.Put("TakenBy", path.TakenBy);
        return row;
    }

    public static ChangedPath ToChangedPath(TableEntity row, string pairId, string table)
    {
        row.RequireKnownSchema(table);
        return new ChangedPath(pairId, row.RequiredString("Path", table), row.Time("StagedAt"), row.GetString("TakenBy"));
    }
}
