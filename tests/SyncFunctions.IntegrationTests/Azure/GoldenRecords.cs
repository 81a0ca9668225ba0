using SyncFunctions.Abstractions;

namespace SyncFunctions.IntegrationTests.Azure;

/// <summary>Fully populated ledger records (every optional property set) whose rows the golden files pin.</summary>
internal static class GoldenRecords
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static PairRecord Pair { get; } = new(
        "pairabc123", "local:/home/u/docs", "blob:backup/docs on acct", ActiveRunId: "run-0001", Cursor: "cursor-1", Dirty: true, CreatedAt: T0)
    {
        LastCompletedRunId = "run-0000",
    };

    public static PairDefinition Definition { get; } = new(
        "docs-backup", "pairabc123", "local:/home/u/docs", "blob:backup/docs on acct", Schedule: "0 */15 * * * *", Subscribe: true,
        OptionsJson: "{\"chunkSize\":8388608}", CreatedAt: T0);

    public static SubscriptionRecord Subscription { get; } = new(
        "0fc7e1a4-7b25-4f4b-9b5b-6a0f2a3c9d11", "docs-backup", "pairabc123", "graph:https://graph.microsoft.com/v1.0|b!drive1", "/drives/b!drive1/root",
        "golden-client-state-not-a-secret", T0.AddDays(2), T0);

    public static PlanRecord Plan { get; } = new(
        "4f0c2b9e8d7a41c3b2e1f0a9d8c7b6a5", "docs-backup", "pairabc123", "W/\"datetime'2026-01-02T03%3A04%3A05.0000000Z'\"", "W/\"datetime'2026-01-02T03%3A04%3A06.0000000Z'\"",
        "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 120, 5_242_880, 3, T0, T0.AddMinutes(15), "20260102T030405-ab12cd34");

    public static RunRecord Run { get; } = new()
    {
        PairId = "pairabc123",
        RunId = "run-0001",
        Status = RunStatus.CompletedWithFailures,
        Trigger = "cli",
        CoordinatorId = "host-1:4242:638000000000000000:ab12cd34",
        CoordinatorLeaseExpires = T0.AddSeconds(60),
        OwnerHost = "host-1",
        OwnerPid = 4242,
        OwnerStarted = T0,
        Heartbeat = T0.AddSeconds(30),
        CreatedAt = T0.AddSeconds(1),
        EndedAt = T0.AddMinutes(5),
        OptionsJson = "{\"parallel\":8}",
        ObserveDone = true,
        ObserveContinuation = "dir/last.txt",
        WorkItemCount = 3,
        PendingCursor = "cursor-2",
        StagingDone = true,
        StagedCount = 1234,
        StagedFiles = true,
        FirstRun = true,
        CarryOverWasEmpty = true,
        Resync = true,
        TreeWritten = true,
        CancelRequested = true,
        ChangedPathsTaken = true,
        ChangedPathCount = 17,
        PlansChangedPaths = true,
        ListedCount = 41,
        TotalActions = 10,
        SucceededActions = 7,
        FailedActions = 1,
        SkippedActions = 2,
        TotalBytes = 5_000_000_000,
        BytesDone = 4_000_000_000,
        HeldBackDeletes = 4,
        PlannedDeletes = 4,
        BaselineCount = 40,
        DeletesHeldBack = true,
        Error = "one item failed",
    };

    public static WorkItemRecord WorkItem { get; } = new()
    {
        RunId = "run-0001",
        ItemId = "000002",
        Kind = WorkItemKind.LargeFile,
        Status = WorkStatus.Claimed,
        LeaseOwner = "host-1:4242:638000000000000000:ab12cd34",
        LeaseExpires = T0.AddMinutes(2),
        Attempts = 2,
        Failures = 1,
        Deaths = 3,
        StalledDeaths = 2,
        ProgressMark = 1_500_000_000,
        Window = 4,
        Isolate = true,
        SoloClaim = true,
        ParentItemId = "000001",
        RangeIndex = 2,
        RangeCount = 5,
        ActionCount = 1,
        TotalBytes = 3_000_000_000,
        Succeeded = 1,
        Failed = 2,
        Skipped = 3,
        BytesDone = 2_000_000_000,
    };

    public static WorkItemRecord ChunkRange { get; } = new()
    {
        RunId = "run-0001",
        ItemId = "000002.r0003",
        Kind = WorkItemKind.ChunkRange,
        Status = WorkStatus.Done,
        ParentItemId = "000002",
        RangeIndex = 3,
        ActionCount = 1,
        TotalBytes = 400_000_000,
        Succeeded = 1,
        BytesDone = 400_000_000,
    };

    public static ActionRecord Action { get; } = new()
    {
        RunId = "run-0001",
        ItemId = "000002",
        ActionId = "0000",
        Kind = ActionKind.Upload,
        Path = "big/movie.mkv",
        Reason = "changed (size)",
        FromPath = "old/movie.mkv",
        SourceSize = 3_000_000_000,
        SourceLastModified = T0.AddDays(-1),
        SourceVersion = "\"0x8DC0\"",
        SourceSha256 = "aa11",
        SourceQuickXorHash = "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        SourceItemId = "item-1",
        SourceParentId = "parent-1",
        ExpectedDestETag = "\"0x1\"",
        VerifyHashFirst = true,
        KnownSha256 = "bb22",
        DestinationETag = "\"0x2\"",
        Status = ActionStatus.Failed,
        Attempts = 3,
        BytesDone = 1_000_000,
        Checkpoint = "blocks:12",
        LastError = "destination changed",
        ResultDestETag = "\"0x3\"",
    };

    public static BaselineEntry Baseline { get; } = new()
    {
        PairId = "pairabc123",
        Path = "dir/a b#?.txt",
        Size = 12345,
        LastModified = T0,
        SourceVersion = "v1",
        Sha256 = "cc33",
        SourceItemId = "item-2",
        SourceParentId = "parent-2",
        DestETag = "\"0x4\"",
    };

    public static BaselineEntry BaselineOverflow { get; } = Baseline with { Path = "long/" + new string('x', 600) };

    /// <summary>A staged change-feed item (its flags all set: the completeness check wants every property non-default).</summary>
    public static ChangeItem StagedChange { get; } = new()
    {
        ItemId = "01ABCDEFGHIJKLMNOPQRSTUVWXYZ!123",
        ParentId = "01ABCDEFGHIJKLMNOPQRSTUVWXYZ!7",
        Name = "report #1?.docx",
        IsFolder = true,
        IsRoot = true,
        IsDeleted = true,
        Size = 5_000_000_000,
        LastModified = T0,
        ETag = "\"{3A1B},2\"",
        CTag = "\"c:{3A1B},2\"",
        QuickXorHash = "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        Sha256 = "dd44",
        Sha1 = "ee55",
    };

    public static TreeEntry Tree { get; } = new()
    {
        PairId = "pairabc123",
        ItemId = "01ABCDEFGHIJKLMNOPQRSTUVWXYZ!123",
        ParentId = "01ABCDEFGHIJKLMNOPQRSTUVWXYZ!7",
        Name = "report #1?.docx",
        IsFolder = true,
    };

    public static CarryOverEntry CarryOver { get; } = new()
    {
        PairId = "pairabc123",
        Path = "held/back.txt",
        Reason = CarryOverReason.HeldBackDelete,
        Message = "exceeds --max-delete 10",
        RunId = "run-0001",
        Since = T0,
    };

    public static ChangedPath ChangedPath { get; } = new("pairabc123", "events/a b.txt", T0, TakenBy: "run-0001");
}
