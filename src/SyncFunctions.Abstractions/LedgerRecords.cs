namespace SyncFunctions.Abstractions;

/// <summary>A sync pair: one source and one destination, keyed by a hash of their canonical forms.</summary>
/// <param name="PairId">Hash of the canonical endpoints (see <c>PairIdentity</c> in Core/Protocol).</param>
/// <param name="Source">Canonical source endpoint, without secrets.</param>
/// <param name="Destination">Canonical destination endpoint, without secrets.</param>
/// <param name="ActiveRunId">The run that currently owns the pair, or null. Set and cleared with If-Match.</param>
/// <param name="Cursor">The committed change cursor (Graph deltaLink later); null for listing sources.</param>
/// <param name="Dirty">A change arrived while a run was active: run again when it ends.</param>
/// <param name="CreatedAt">When the pair was first seen.</param>
/// <param name="ETag">Optimistic-concurrency token of the stored row; null before the row exists.</param>
public sealed record PairRecord(
    string PairId,
    string Source,
    string Destination,
    string? ActiveRunId = null,
    string? Cursor = null,
    bool Dirty = false,
    DateTimeOffset? CreatedAt = null,
    string? ETag = null)
{
    /// <summary>
    /// The pair's last run that ended Succeeded or CompletedWithFailures: the pair has an established baseline, so a
    /// run of staged changed paths may check only those (<see cref="IChangedPathLedger"/>). Null before the first one.
    /// </summary>
    public string? LastCompletedRunId { get; init; }
}

public enum RunStatus
{
    Running,
    Succeeded,
    CompletedWithFailures,
    Cancelled,
    Failed,
}

/// <summary>
/// One run of a pair: who owns it, how far observation got and the counters refreshed at fan-in.
/// </summary>
public sealed record RunRecord
{
    public required string PairId { get; init; }
    public required string RunId { get; init; }
    public RunStatus Status { get; init; } = RunStatus.Running;
    public string Trigger { get; init; } = "cli";

    /// <summary>
    /// Lease owner id of the run's coordinator (the driver that observes, fans in and finalizes); null when the
    /// run was released for any driver to take over at once. Correctness rests on this lease, not on processes.
    /// </summary>
    public string? CoordinatorId { get; init; }

    /// <summary>When the coordinator lease ends unless renewed; an expired lease may be taken over.</summary>
    public DateTimeOffset? CoordinatorLeaseExpires { get; init; }

    /// <summary>
    /// The coordinator's host name, process id and process start time, for display and for a fast takeover when
    /// that process is known to be dead on the same host (pid 0: released).
    /// </summary>
    public string OwnerHost { get; init; } = "";
    public int OwnerPid { get; init; }
    public DateTimeOffset OwnerStarted { get; init; }

    /// <summary>When the coordinator last renewed its lease.</summary>
    public DateTimeOffset Heartbeat { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Run options (parallelism, chunk size, force, max-delete, dry-run) as JSON; every step reads them from here.</summary>
    public string OptionsJson { get; init; } = "{}";

    /// <summary>The pair had no committed cursor when the run started (a change feed's first, full enumeration).</summary>
    public bool FirstRun { get; init; }

    /// <summary>True once every source page has been planned into work items.</summary>
    public bool ObserveDone { get; init; }

    /// <summary>Where observation resumes: for listing sources the last planned path.</summary>
    public string? ObserveContinuation { get; init; }

    /// <summary>Number of work items written so far (the next item number).</summary>
    public int WorkItemCount { get; init; }

    /// <summary>The cursor to commit to the pair when the run ends.</summary>
    public string? PendingCursor { get; init; }

    /// <summary>Change-feed runs: every page has been staged (planning may start).</summary>
    public bool StagingDone { get; init; }

    /// <summary>Change-feed runs: items staged so far, over every page (0: nothing to plan, no tree to update).</summary>
    public long StagedCount { get; init; }

    /// <summary>Change-feed runs: a staged item is a file (planning streams the staged items only then).</summary>
    public bool StagedFiles { get; init; }

    /// <summary>Change-feed runs: the pair's carry-over set was empty when the run planned (finalizing need not read it).</summary>
    public bool CarryOverWasEmpty { get; init; }

    /// <summary>Change-feed runs: the cursor was refused (410); this run enumerates everything and applies differences.</summary>
    public bool Resync { get; init; }

    /// <summary>
    /// Change-feed first runs: the planner wrote the item-id tree while it planned (the tree was empty), so the
    /// run's end only deletes the staged items instead of reading them again to apply them.
    /// </summary>
    public bool TreeWritten { get; init; }

    public bool CancelRequested { get; init; }

    /// <summary>Listing runs: observation has taken the pair's staged changed paths (done once, before anything is planned).</summary>
    public bool ChangedPathsTaken { get; init; }

    /// <summary>Listing runs: how many staged changed paths the run took (removed when it ends well).</summary>
    public long ChangedPathCount { get; init; }

    /// <summary>
    /// Listing runs: observation checks only the taken changed paths and the carry-over set against the source (no
    /// listing); <see cref="BaselineCount"/> is then <see cref="ListedCount"/> of the pair's last completed run.
    /// </summary>
    public bool PlansChangedPaths { get; init; }

    /// <summary>
    /// Listing runs, once observed: the objects the source listing held (a run of changed paths carries its
    /// predecessor's): the delete guard's base for later runs of changed paths, which read no whole baseline.
    /// </summary>
    public long ListedCount { get; init; }

    public long TotalActions { get; init; }
    public long SucceededActions { get; init; }
    public long FailedActions { get; init; }
    public long SkippedActions { get; init; }
    public long TotalBytes { get; init; }
    public long BytesDone { get; init; }

    /// <summary>Deletes not done because of --max-delete.</summary>
    public long HeldBackDeletes { get; init; }

    /// <summary>Deletes planned by observation (compared with --max-delete when observation ends).</summary>
    public long PlannedDeletes { get; init; }

    /// <summary>Baseline rows seen by observation (the base of a percentage --max-delete).</summary>
    public long BaselineCount { get; init; }

    /// <summary>Set when observation ended with more deletes than --max-delete allows: every delete is held back.</summary>
    public bool DeletesHeldBack { get; init; }

    public string? Error { get; init; }
    public string? ETag { get; init; }
}

public enum WorkItemKind
{
    /// <summary>Up to 100 small-file actions in one partition.</summary>
    SmallBatch,

    /// <summary>One large file transferred in chunks.</summary>
    LargeFile,

    /// <summary>Deletes; run only after every upload item has ended.</summary>
    Deletes,

    /// <summary>
    /// A range of chunks of a large file (<see cref="WorkItemRecord.ParentItemId"/>), staged by any worker; the
    /// parent item commits the file once every range is done.
    /// </summary>
    ChunkRange,

    /// <summary>
    /// Folder moves (<see cref="ActionKind.MoveFolder"/>) of a change-feed run, executed in order, one item after the
    /// other, before any other item of the run: everything else was planned against the folders' new places.
    /// </summary>
    FolderMoves,
}

public enum WorkStatus
{
    Pending,
    Claimed,
    Done,
}

/// <summary>
/// A unit of work that one worker claims at a time (by CAS on its ETag, with a lease).
/// </summary>
public sealed record WorkItemRecord
{
    public required string RunId { get; init; }

    /// <summary>Zero-padded sequence number, deterministic for a given plan.</summary>
    public required string ItemId { get; init; }
    public WorkItemKind Kind { get; init; }
    public WorkStatus Status { get; init; } = WorkStatus.Pending;
    public string? LeaseOwner { get; init; }
    public DateTimeOffset? LeaseExpires { get; init; }
    /// <summary>Claims of the item so far.</summary>
    public int Attempts { get; init; }

    /// <summary>Claims that ended in an error escaping the item (not a worker's death, not an interrupt).</summary>
    public int Failures { get; init; }

    /// <summary>Claims cut short by their worker dying (the lease expired, or its process is known dead).</summary>
    public int Deaths { get; init; }

    /// <summary>Deaths in a row during which the item made no progress (no action ended, no checkpoint moved).</summary>
    public int StalledDeaths { get; init; }

    /// <summary>The item's progress (ended actions and checkpointed bytes) when it was last claimed.</summary>
    public long ProgressMark { get; init; }

    /// <summary>
    /// How many of the item's unfinished actions a claim works on (0: all). Halved each time the item stalls, so the
    /// one file that kills workers is isolated and given up alone.
    /// </summary>
    public int Window { get; init; }

    /// <summary>
    /// The item stalled at a window of one: its next claims should run it alone in their process, so a death can be
    /// blamed on it. Cleared when it makes progress.
    /// </summary>
    public bool Isolate { get; init; }

    /// <summary>The current (or last) claim promised to run the item alone in its process (<see cref="Isolate"/>).</summary>
    public bool SoloClaim { get; init; }

    public int ActionCount { get; init; }
    public long TotalBytes { get; init; }

    /// <summary>For <see cref="WorkItemKind.ChunkRange"/>: the large-file item whose chunks this range stages.</summary>
    public string? ParentItemId { get; init; }

    /// <summary>For <see cref="WorkItemKind.ChunkRange"/>: the range's number (0-based).</summary>
    public int RangeIndex { get; init; }

    /// <summary>For <see cref="WorkItemKind.LargeFile"/>: how many chunk ranges stage the file (0: one worker does it all).</summary>
    public int RangeCount { get; init; }

    /// <summary>Outcome counts written when the item is Done; the fan-in sums them (no shared counter row).</summary>
    public int Succeeded { get; init; }
    public int Failed { get; init; }
    public int Skipped { get; init; }
    public long BytesDone { get; init; }
    public string? ETag { get; init; }
}

public enum ActionKind
{
    /// <summary>Copy the source object to the destination.</summary>
    Upload,

    /// <summary>Delete the destination object (source deleted).</summary>
    Delete,

    /// <summary>Content unchanged (hash equal) but metadata moved: update the baseline only.</summary>
    UpdateBaseline,

    /// <summary>The source item was renamed or moved: move <see cref="ActionRecord.FromPath"/> to <see cref="ActionRecord.Path"/> at the destination.</summary>
    Move,

    /// <summary>
    /// A source folder was renamed or moved: move the destination folder <see cref="ActionRecord.FromPath"/> with
    /// everything below it to <see cref="ActionRecord.Path"/> in one operation (<see cref="IServerSideFolderMove"/>),
    /// and re-key the baseline rows below it.
    /// </summary>
    MoveFolder,
}

public enum ActionStatus
{
    Pending,
    Claimed,
    Done,
    Failed,
    Skipped,
}

/// <summary>One planned action in the ledger.</summary>
public sealed record ActionRecord
{
    public required string RunId { get; init; }
    public required string ItemId { get; init; }

    /// <summary>Deterministic id within the item (zero-padded index).</summary>
    public required string ActionId { get; init; }
    public ActionKind Kind { get; init; }
    public required string Path { get; init; }

    /// <summary>Why the planner planned it ("new", "changed", "deleted at source", ...), for dry runs and <c>runs show</c>.</summary>
    public string? Reason { get; init; }

    /// <summary>For <see cref="ActionKind.Move"/> and <see cref="ActionKind.MoveFolder"/>: the path the object (or folder) had at the destination.</summary>
    public string? FromPath { get; init; }

    public long SourceSize { get; init; }
    public DateTimeOffset SourceLastModified { get; init; }
    public string? SourceVersion { get; init; }
    public string? SourceSha256 { get; init; }

    /// <summary>The source's QuickXorHash (Graph), checked against what was transferred.</summary>
    public string? SourceQuickXorHash { get; init; }
    public string? SourceItemId { get; init; }
    public string? SourceParentId { get; init; }

    /// <summary>The destination ETag the baseline recorded: the If-Match of the write (null: If-None-Match).</summary>
    public string? ExpectedDestETag { get; init; }

    /// <summary>
    /// Size equal but time/version changed (or an unknown object already at the destination): hash the
    /// source first; when it equals <see cref="KnownSha256"/> only the baseline is updated.
    /// </summary>
    public bool VerifyHashFirst { get; init; }

    /// <summary>The content hash to compare against (baseline's, or the destination's metadata).</summary>
    public string? KnownSha256 { get; init; }

    /// <summary>The destination's current ETag when it already holds the content (adopted into the baseline).</summary>
    public string? DestinationETag { get; init; }

    public ActionStatus Status { get; init; } = ActionStatus.Pending;
    public int Attempts { get; init; }
    public long BytesDone { get; init; }

    /// <summary>Chunk checkpoint (staged chunk count, partial length, later an upload-session URL) as a small string.</summary>
    public string? Checkpoint { get; init; }
    public string? LastError { get; init; }

    /// <summary>Destination ETag after the write (for the baseline).</summary>
    public string? ResultDestETag { get; init; }
    public string? ETag { get; init; }
}

/// <summary>What was last synced for one path of a pair.</summary>
public sealed record BaselineEntry
{
    public const int CurrentSchemaVersion = 1;

    public required string PairId { get; init; }
    public required string Path { get; init; }
    public long Size { get; init; }
    public DateTimeOffset LastModified { get; init; }
    public string? SourceVersion { get; init; }
    public string? Sha256 { get; init; }
    public string? SourceItemId { get; init; }
    public string? SourceParentId { get; init; }
    public string? DestETag { get; init; }
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
}

public enum CarryOverReason
{
    Failed,
    HeldBackDelete,
}

/// <summary>A failed action or held-back delete that every later run re-plans until it succeeds.</summary>
public sealed record CarryOverEntry
{
    public required string PairId { get; init; }
    public required string Path { get; init; }
    public CarryOverReason Reason { get; init; }
    public string? Message { get; init; }
    public string? RunId { get; init; }
    public DateTimeOffset Since { get; init; }
}
