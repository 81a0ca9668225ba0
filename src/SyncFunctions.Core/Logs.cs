using Microsoft.Extensions.Logging;

namespace SyncFunctions.Core;

/// <summary>The engine's log messages, with stable event ids.</summary>
internal static partial class Logs
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Run {RunId} started for pair {PairId}")]
    public static partial void RunStarted(ILogger logger, string runId, string pairId);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Run {RunId} resumed (previous owner {Owner}: {Why})")]
    public static partial void RunResumed(ILogger logger, string runId, string owner, string why);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Joined run {RunId} as worker {WorkerId}")]
    public static partial void RunJoined(ILogger logger, string runId, string workerId);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Run {RunId} resumes with the options it was started with: {Notice}")]
    public static partial void OptionsKept(ILogger logger, string runId, string notice);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Observation finished: {Actions} actions, {Bytes} bytes, {Deletes} deletes planned")]
    public static partial void ObserveFinished(ILogger logger, long actions, long bytes, long deletes);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Holding back {Deletes} deletes: more than the delete limit {Limit} allows (baseline has {Baseline} items)")]
    public static partial void DeletesHeldBack(ILogger logger, long deletes, string limit, long baseline);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Run {RunId} ended: {Status}")]
    public static partial void RunEnded(ILogger logger, string runId, string status);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Debug, Message = "Staged chunk {Index}/{Count} of {Path}")]
    public static partial void ChunkStaged(ILogger logger, int index, int count, string path);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Debug, Message = "Staged block {Index} {BlockId} ({Length} bytes) of {Path}")]
    public static partial void BlockStaged(ILogger logger, int index, string blockId, int length, string path);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Resuming {Path}: {Reused} of {Count} chunks already staged")]
    public static partial void ChunksReused(ILogger logger, string path, int reused, int count);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Information, Message = "Resuming download of {Path} at byte {Offset}")]
    public static partial void DownloadResumed(ILogger logger, string path, long offset);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Warning, Message = "{Path}: {Reason}")]
    public static partial void ActionFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Debug, Message = "Done {Kind} {Path}")]
    public static partial void ActionDone(ILogger logger, string kind, string path);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Information, Message = "Reclaimed work item {ItemId} from {Owner}")]
    public static partial void Reclaimed(ILogger logger, string itemId, string owner);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Warning, Message = "Lost the claim on work item {ItemId}; another worker owns it now")]
    public static partial void ClaimLost(ILogger logger, string itemId);

    [LoggerMessage(EventId = 1040, Level = LogLevel.Warning, Message = "Interrupted: state saved, run {RunId} resumes with the next sync of the pair")]
    public static partial void Interrupted(ILogger logger, string runId);

    [LoggerMessage(EventId = 1041, Level = LogLevel.Warning, Message = "Run {RunId} was cancelled")]
    public static partial void Cancelled(ILogger logger, string runId);
}

/// <summary>Extension-style log helpers for call sites outside the engine classes.</summary>
internal static partial class LogExtensions
{
    [LoggerMessage(EventId = 1050, Level = LogLevel.Warning, Message = "Work item {ItemId} failed and will be retried after its lease: {Reason}")]
    public static partial void LogItemError(this ILogger logger, string itemId, string reason);
}

internal static partial class Logs
{
    [LoggerMessage(EventId = 1060, Level = LogLevel.Warning, Message = "The change cursor was refused ({Reason}); enumerating everything and applying only the differences")]
    public static partial void ResyncRequired(ILogger logger, string reason);

    [LoggerMessage(EventId = 1062, Level = LogLevel.Information, Message = "Resuming the upload session of {Path} at byte {Offset}")]
    public static partial void UploadResumed(ILogger logger, string path, long offset);

    [LoggerMessage(EventId = 1061, Level = LogLevel.Information, Message = "Planned {Count} changes from the change feed ({Moves} moves)")]
    public static partial void ChangesPlanned(ILogger logger, long count, long moves);
}

internal static partial class Logs
{
    [LoggerMessage(EventId = 1070, Level = LogLevel.Warning, Message = "Could not prune {Count} emptied destination folders; empty ones stay behind: {Reason}")]
    public static partial void PruneFailed(ILogger logger, int count, string reason);
}

internal static partial class Logs
{
    [LoggerMessage(EventId = 1080, Level = LogLevel.Warning, Message = "Attempt {Attempt} of {MaxAttempts} failed, retrying in {DelaySeconds} s: {Reason}")]
    public static partial void RetryingUnreachable(ILogger logger, int attempt, int maxAttempts, string delaySeconds, string reason);

    [LoggerMessage(EventId = 1081, Level = LogLevel.Warning, Message = "Attempt {Attempt} failed, waiting for the endpoint to come back (retrying in {DelaySeconds} s, for up to {Tolerance}): {Reason}")]
    public static partial void WaitingForEndpoint(ILogger logger, int attempt, string delaySeconds, string tolerance, string reason);
}

internal static partial class Logs
{
    [LoggerMessage(EventId = 1090, Level = LogLevel.Information, Message = "Moved folder {From} to {To} at the destination ({Rows} synced files below it)")]
    public static partial void FolderMoved(ILogger logger, string from, string to, long rows);

    [LoggerMessage(EventId = 1091, Level = LogLevel.Warning, Message = "Could not move folder {From} to {To} in one operation ({Reason}); moving the files below it one by one")]
    public static partial void FolderMoveFallback(ILogger logger, string from, string to, string reason);

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Run {RunId} took {Count} staged changed paths; it checks {Mode}")]
    public static partial void ChangedPathsTaken(ILogger logger, string runId, long count, string mode);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Run {RunId} planned exactly the previewed plan {Fingerprint} ({Actions} actions)")]
    public static partial void PlanMatched(ILogger logger, string runId, string fingerprint, int actions);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Run {RunId} committed snapshot {SnapshotId}: {Files} files, {Bytes} bytes")]
    public static partial void SnapshotCommitted(ILogger logger, string runId, string snapshotId, long files, long bytes);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Run {RunId} was cancelled: no snapshot was made; the chunks it stored are unreferenced until a later run of the pair uses them, and 'syncfn gc' (or the repository-gc timer) reclaims the rest")]
    public static partial void SnapshotNotCommitted(ILogger logger, string runId);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Run {RunId} planned {Actual}, not the previewed plan {Expected}: it is cancelled before anything executes")]
    public static partial void PlanChanged(ILogger logger, string runId, string expected, string actual);
}
