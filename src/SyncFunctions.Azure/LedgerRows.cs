using Azure.Data.Tables;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>
/// The persisted format of every ledger row: record to table entity and back. Golden files in the
/// integration tests pin these property names and types; change them only with a schema version bump.
/// </summary>
internal static partial class LedgerRows
{
    /// <summary>Partition of the Pairs table: pairs are few, one partition keeps "list pairs" one query.</summary>
    public const string PairPartition = "pair";

    /// <summary>Suffix of the partition holding rows whose encoded path is too long for a row key.</summary>
    public const string OverflowSuffix = "~overflow";

    /// <summary>Error texts are cut to this length: a table property holds at most 32 K characters.</summary>
    public const int MaxTextLength = 4000;

    public static TableEntity ToRow(PairRecord pair)
    {
        var row = RowFields.NewRow(PairPartition, pair.PairId);
        row["Source"] = pair.Source;
        row["Destination"] = pair.Destination;
        row.Put("ActiveRunId", pair.ActiveRunId);
        row.Put("Cursor", pair.Cursor);
        row["Dirty"] = pair.Dirty;
        row.Put("CreatedAt", pair.CreatedAt);
        row.Put("LastCompletedRunId", pair.LastCompletedRunId);
        return row;
    }

    public static PairRecord ToPair(TableEntity row, string table)
    {
        row.RequireKnownSchema(table);
        return new PairRecord(
            row.RowKey,
            row.RequiredString("Source", table),
            row.RequiredString("Destination", table),
            row.GetString("ActiveRunId"),
            row.GetString("Cursor"),
            row.Bool("Dirty"),
            row.GetDateTimeOffset("CreatedAt"),
            row.ETagOf())
        {
            LastCompletedRunId = row.GetString("LastCompletedRunId"),
        };
    }

    /// <summary>Partition of the Pairs table holding the named pairs (row key = name): listing them is one query.</summary>
    public const string NamePartition = "name";

    public static TableEntity ToRow(PairDefinition definition)
    {
        var row = RowFields.NewRow(NamePartition, definition.Name);
        row["PairId"] = definition.PairId;
        row["Source"] = definition.Source;
        row["Destination"] = definition.Destination;
        row.Put("Schedule", definition.Schedule);
        row["Subscribe"] = definition.Subscribe;
        row["OptionsJson"] = definition.OptionsJson;
        row.Put("CreatedAt", definition.CreatedAt);
        return row;
    }

    public static PairDefinition ToDefinition(TableEntity row, string table)
    {
        row.RequireKnownSchema(table);
        return new PairDefinition(
            row.RowKey,
            row.RequiredString("PairId", table),
            row.RequiredString("Source", table),
            row.RequiredString("Destination", table),
            row.GetString("Schedule"),
            row.Bool("Subscribe"),
            row.GetString("OptionsJson") ?? "{}",
            row.GetDateTimeOffset("CreatedAt"),
            row.ETagOf());
    }

    public static TableEntity ToRow(RunRecord run)
    {
        var row = RowFields.NewRow(run.PairId, run.RunId);
        row.PutEnum("Status", run.Status);
        row["Trigger"] = run.Trigger;
        row.Put("CoordinatorId", run.CoordinatorId);
        row.Put("CoordinatorLeaseExpires", run.CoordinatorLeaseExpires);
        row["OwnerHost"] = run.OwnerHost;
        row["OwnerPid"] = run.OwnerPid;
        row.Put("OwnerStarted", run.OwnerStarted);
        row.Put("Heartbeat", run.Heartbeat);
        row.Put("CreatedAt", run.CreatedAt);
        row.Put("EndedAt", run.EndedAt);
        row["OptionsJson"] = run.OptionsJson;
        row["FirstRun"] = run.FirstRun;
        row["ObserveDone"] = run.ObserveDone;
        row.Put("ObserveContinuation", run.ObserveContinuation);
        row["WorkItemCount"] = run.WorkItemCount;
        row.Put("PendingCursor", run.PendingCursor);
        row["StagingDone"] = run.StagingDone;
        row["StagedCount"] = run.StagedCount;
        row["StagedFiles"] = run.StagedFiles;
        row["CarryOverWasEmpty"] = run.CarryOverWasEmpty;
        row["Resync"] = run.Resync;
        row["TreeWritten"] = run.TreeWritten;
        row["CancelRequested"] = run.CancelRequested;
        row["ChangedPathsTaken"] = run.ChangedPathsTaken;
        row["ChangedPathCount"] = run.ChangedPathCount;
        row["PlansChangedPaths"] = run.PlansChangedPaths;
        row["ListedCount"] = run.ListedCount;
        row["TotalActions"] = run.TotalActions;
        row["SucceededActions"] = run.SucceededActions;
        row["FailedActions"] = run.FailedActions;
        row["SkippedActions"] = run.SkippedActions;
        row["TotalBytes"] = run.TotalBytes;
        row["BytesDone"] = run.BytesDone;
        row["HeldBackDeletes"] = run.HeldBackDeletes;
        row["PlannedDeletes"] = run.PlannedDeletes;
        row["BaselineCount"] = run.BaselineCount;
        row["DeletesHeldBack"] = run.DeletesHeldBack;
        row.Put("Error", Cut(run.Error));
        return row;
    }

    public static RunRecord ToRun(TableEntity row, string table)
    {
        row.RequireKnownSchema(table);
        return new RunRecord
        {
            PairId = row.PartitionKey,
            RunId = row.RowKey,
            Status = row.GetEnum("Status", RunStatus.Running, table),
            Trigger = row.GetString("Trigger") ?? "",
            CoordinatorId = row.GetString("CoordinatorId"),
            CoordinatorLeaseExpires = row.GetDateTimeOffset("CoordinatorLeaseExpires"),
            OwnerHost = row.GetString("OwnerHost") ?? "",
            OwnerPid = row.Int("OwnerPid"),
            OwnerStarted = row.Time("OwnerStarted"),
            Heartbeat = row.Time("Heartbeat"),
            CreatedAt = row.Time("CreatedAt"),
            EndedAt = row.GetDateTimeOffset("EndedAt"),
            OptionsJson = row.GetString("OptionsJson") ?? "{}",
            FirstRun = row.Bool("FirstRun"),
            ObserveDone = row.Bool("ObserveDone"),
            ObserveContinuation = row.GetString("ObserveContinuation"),
            WorkItemCount = row.Int("WorkItemCount"),
            PendingCursor = row.GetString("PendingCursor"),
            StagingDone = row.Bool("StagingDone"),
            StagedCount = row.Long("StagedCount"),
            StagedFiles = row.Bool("StagedFiles"),
            CarryOverWasEmpty = row.Bool("CarryOverWasEmpty"),
            Resync = row.Bool("Resync"),
            TreeWritten = row.Bool("TreeWritten"),
            CancelRequested = row.Bool("CancelRequested"),
            ChangedPathsTaken = row.Bool("ChangedPathsTaken"),
            ChangedPathCount = row.Long("ChangedPathCount"),
            PlansChangedPaths = row.Bool("PlansChangedPaths"),
            ListedCount = row.Long("ListedCount"),
            TotalActions = row.Long("TotalActions"),
            SucceededActions = row.Long("SucceededActions"),
            FailedActions = row.Long("FailedActions"),
            SkippedActions = row.Long("SkippedActions"),
            TotalBytes = row.Long("TotalBytes"),
            BytesDone = row.Long("BytesDone"),
            HeldBackDeletes = row.Long("HeldBackDeletes"),
            PlannedDeletes = row.Long("PlannedDeletes"),
            BaselineCount = row.Long("BaselineCount"),
            DeletesHeldBack = row.Bool("DeletesHeldBack"),
            Error = row.GetString("Error"),
            ETag = row.ETagOf(),
        };
    }

    public static TableEntity ToRow(WorkItemRecord item)
    {
        var row = RowFields.NewRow(item.RunId, item.ItemId);
        row.PutEnum("Kind", item.Kind);
        row.PutEnum("Status", item.Status);
        row.Put("LeaseOwner", item.LeaseOwner);
        row.Put("LeaseExpires", item.LeaseExpires);
        row["Attempts"] = item.Attempts;
        row["Failures"] = item.Failures;
        row["Deaths"] = item.Deaths;
        row["StalledDeaths"] = item.StalledDeaths;
        row["ProgressMark"] = item.ProgressMark;
        row["Window"] = item.Window;
        row["Isolate"] = item.Isolate;
        row["SoloClaim"] = item.SoloClaim;
        row["ActionCount"] = item.ActionCount;
        row["TotalBytes"] = item.TotalBytes;
        row.Put("ParentItemId", item.ParentItemId);
        row["RangeIndex"] = item.RangeIndex;
        row["RangeCount"] = item.RangeCount;
        row["Succeeded"] = item.Succeeded;
        row["Failed"] = item.Failed;
        row["Skipped"] = item.Skipped;
        row["BytesDone"] = item.BytesDone;
        return row;
    }

    public static WorkItemRecord ToWorkItem(TableEntity row, string table)
    {
        row.RequireKnownSchema(table);
        return new WorkItemRecord
        {
            RunId = row.PartitionKey,
            ItemId = row.RowKey,
            Kind = row.GetEnum("Kind", WorkItemKind.SmallBatch, table),
            Status = row.GetEnum("Status", WorkStatus.Pending, table),
            LeaseOwner = row.GetString("LeaseOwner"),
            LeaseExpires = row.GetDateTimeOffset("LeaseExpires"),
            Attempts = row.Int("Attempts"),
            Failures = row.Int("Failures"),
            Deaths = row.Int("Deaths"),
            StalledDeaths = row.Int("StalledDeaths"),
            ProgressMark = row.Long("ProgressMark"),
            Window = row.Int("Window"),
            Isolate = row.Bool("Isolate"),
            SoloClaim = row.Bool("SoloClaim"),
            ActionCount = row.Int("ActionCount"),
            TotalBytes = row.Long("TotalBytes"),
            ParentItemId = row.GetString("ParentItemId"),
            RangeIndex = row.Int("RangeIndex"),
            RangeCount = row.Int("RangeCount"),
            Succeeded = row.Int("Succeeded"),
            Failed = row.Int("Failed"),
            Skipped = row.Int("Skipped"),
            BytesDone = row.Long("BytesDone"),
            ETag = row.ETagOf(),
        };
    }

    /// <summary>Actions of one work item share a partition, so one transaction claims or completes them all.</summary>
    public static string ActionPartition(string runId, string itemId) => runId + "_" + itemId;

    public static TableEntity ToRow(ActionRecord action)
    {
        var row = RowFields.NewRow(ActionPartition(action.RunId, action.ItemId), action.ActionId);
        row["RunId"] = action.RunId;
        row["ItemId"] = action.ItemId;
        row.PutEnum("Kind", action.Kind);
        row["Path"] = action.Path;
        row.Put("Reason", action.Reason);
        row.Put("FromPath", action.FromPath);
        row["SourceSize"] = action.SourceSize;
        row.Put("SourceLastModified", action.SourceLastModified);
        row.Put("SourceVersion", action.SourceVersion);
        row.Put("SourceSha256", action.SourceSha256);
        row.Put("SourceQuickXorHash", action.SourceQuickXorHash);
        row.Put("SourceItemId", action.SourceItemId);
        row.Put("SourceParentId", action.SourceParentId);
        row.Put("ExpectedDestETag", action.ExpectedDestETag);
        row["VerifyHashFirst"] = action.VerifyHashFirst;
        row.Put("KnownSha256", action.KnownSha256);
        row.Put("DestinationETag", action.DestinationETag);
        row.PutEnum("Status", action.Status);
        row["Attempts"] = action.Attempts;
        row["BytesDone"] = action.BytesDone;
        row.Put("Checkpoint", action.Checkpoint);
        row.Put("LastError", Cut(action.LastError));
        row.Put("ResultDestETag", action.ResultDestETag);
        return row;
    }

    public static ActionRecord ToAction(TableEntity row, string table)
    {
        row.RequireKnownSchema(table);
        return new ActionRecord
        {
            RunId = row.RequiredString("RunId", table),
            ItemId = row.RequiredString("ItemId", table),
            ActionId = row.RowKey,
            Kind = row.GetEnum("Kind", ActionKind.Upload, table),
            Path = row.RequiredString("Path", table),
            Reason = row.GetString("Reason"),
            FromPath = row.GetString("FromPath"),
            SourceSize = row.Long("SourceSize"),
            SourceLastModified = row.Time("SourceLastModified"),
            SourceVersion = row.GetString("SourceVersion"),
            SourceSha256 = row.GetString("SourceSha256"),
            SourceQuickXorHash = row.GetString("SourceQuickXorHash"),
            SourceItemId = row.GetString("SourceItemId"),
            SourceParentId = row.GetString("SourceParentId"),
            ExpectedDestETag = row.GetString("ExpectedDestETag"),
            VerifyHashFirst = row.Bool("VerifyHashFirst"),
            KnownSha256 = row.GetString("KnownSha256"),
            DestinationETag = row.GetString("DestinationETag"),
            Status = row.GetEnum("Status", ActionStatus.Pending, table),
            Attempts = row.Int("Attempts"),
            BytesDone = row.Long("BytesDone"),
            Checkpoint = row.GetString("Checkpoint"),
            LastError = row.GetString("LastError"),
            ResultDestETag = row.GetString("ResultDestETag"),
            ETag = row.ETagOf(),
        };
    }

    /// <summary>
    /// Row key of a path-keyed row (baseline, carry-over): the order-preserving encoding when it fits,
    /// else a hash in the pair's overflow partition.
    /// </summary>
    public static (string PartitionKey, string RowKey) PathKey(string pairId, string path)
    {
        var encoded = TableKeyCodec.Encode(path);
        return TableKeyCodec.Fits(encoded)
            ? (pairId, encoded)
            : (pairId + OverflowSuffix, TableKeyCodec.OverflowKey(path));
    }

    public static TableEntity ToRow(BaselineEntry entry)
    {
        var (pk, rk) = PathKey(entry.PairId, entry.Path);
        var row = RowFields.NewRow(pk, rk);
        row["Path"] = entry.Path;
        row["Size"] = entry.Size;
        row.Put("LastModified", entry.LastModified);
        row.Put("SourceVersion", entry.SourceVersion);
        row.Put("Sha256", entry.Sha256);
        row.Put("SourceItemId", entry.SourceItemId);
        row.Put("SourceParentId", entry.SourceParentId);
        row.Put("DestETag", entry.DestETag);
        return row;
    }

    public static BaselineEntry ToBaseline(TableEntity row, string pairId, string table)
    {
        row.RequireKnownSchema(table);
        return new BaselineEntry
        {
            PairId = pairId,
            Path = row.RequiredString("Path", table),
            Size = row.Long("Size"),
            LastModified = row.Time("LastModified"),
            SourceVersion = row.GetString("SourceVersion"),
            Sha256 = row.GetString("Sha256"),
            SourceItemId = row.GetString("SourceItemId"),
            SourceParentId = row.GetString("SourceParentId"),
            DestETag = row.GetString("DestETag"),
            SchemaVersion = row.GetInt32(RowFields.SchemaVersionProperty) ?? RowFields.SchemaVersion,
        };
    }

    public static TableEntity ToRow(CarryOverEntry entry)
    {
        var (pk, rk) = PathKey(entry.PairId, entry.Path);
        var row = RowFields.NewRow(pk, rk);
        row["Path"] = entry.Path;
        row.PutEnum("Reason", entry.Reason);
        row.Put("Message", Cut(entry.Message));
        row.Put("RunId", entry.RunId);
        row.Put("Since", entry.Since);
        return row;
    }

    public static CarryOverEntry ToCarryOver(TableEntity row, string pairId, string table)
    {
        row.RequireKnownSchema(table);
        return new CarryOverEntry
        {
            PairId = pairId,
            Path = row.RequiredString("Path", table),
            Reason = row.GetEnum("Reason", CarryOverReason.Failed, table),
            Message = row.GetString("Message"),
            RunId = row.GetString("RunId"),
            Since = row.Time("Since"),
        };
    }

    private static string? Cut(string? text) => text is { Length: > MaxTextLength } ? text[..MaxTextLength] : text;
}
