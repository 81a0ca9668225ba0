using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Protocol;

/// <summary>A run as its coordinator names it to a step.</summary>
/// <param name="PairId">The pair the run belongs to.</param>
/// <param name="RunId">The run.</param>
/// <param name="CoordinatorId">The caller's lease owner id; coordinator steps check it against the run's lease.</param>
public sealed record RunRef(string PairId, string RunId, string CoordinatorId);

/// <summary>A work item as a worker names it to a step.</summary>
/// <param name="PairId">The pair of the run.</param>
/// <param name="RunId">The run.</param>
/// <param name="ItemId">The work item.</param>
/// <param name="WorkerId">The caller's lease owner id (unique per worker; not a process id).</param>
/// <param name="Alone">
/// The caller runs nothing else in its process while this call lasts (asked by <see cref="WorkItemTicket.Isolate"/>):
/// if the process dies, the item is to blame. A host that cannot promise it passes false.
/// </param>
public sealed record WorkRef(string PairId, string RunId, string ItemId, string WorkerId, bool Alone = false);

public enum StartKind
{
    /// <summary>A new run of the pair started.</summary>
    Started,

    /// <summary>The pair's unfinished run was taken over (its coordinator lease had ended, or its process is dead).</summary>
    Resumed,

    /// <summary>A live coordinator runs the pair.</summary>
    Busy,

    /// <summary>A live coordinator runs the pair; it was marked to run once more when it ends.</summary>
    MarkedDirty,
}

/// <summary>What <see cref="RunSteps.StartRunAsync"/> is asked.</summary>
/// <param name="Pair">The pair (created when new).</param>
/// <param name="Options">The run's options; a resumed run keeps the options it was started with.</param>
/// <param name="CoordinatorId">Lease owner id of the caller as the run's coordinator.</param>
/// <param name="MarkDirtyWhenBusy">A busy pair is marked to run again (triggers) instead of reported busy (a CLI sync).</param>
/// <param name="RunId">The id of a new run (a follow-up run's is derived from the run before it); a fresh one when null.</param>
public sealed record StartRunRequest(PairRecord Pair, SyncOptions Options, string CoordinatorId, bool MarkDirtyWhenBusy = false, string? RunId = null);

/// <summary>The result of <see cref="RunSteps.StartRunAsync"/>.</summary>
/// <param name="Kind">Started, resumed, busy or marked dirty.</param>
/// <param name="RunId">The run (the busy one when busy).</param>
/// <param name="Message">Why busy (who owns it), or which given options a resumed run did not take.</param>
public sealed record StartRunResult(StartKind Kind, string? RunId, string? Message = null);

/// <summary>A work item as drivers dispatch it: small, serialisable, enough to choose a queue.</summary>
/// <param name="ItemId">The work item.</param>
/// <param name="Kind">Its kind (folder moves, small files, large file, chunk range, deletes).</param>
/// <param name="Bytes">Bytes its actions cover.</param>
/// <param name="ParentItemId">A chunk range's large-file item.</param>
/// <param name="RangeCount">A large file's chunk ranges (0: staged and committed by one worker).</param>
/// <param name="Isolate">
/// The item's workers kept dying without progress: a host that can should run it alone in a process, with nothing
/// else in flight, and say so (<see cref="WorkRef.Alone"/>); deaths of such claims are what gives a file up.
/// </param>
public sealed record WorkItemTicket(string ItemId, WorkItemKind Kind, long Bytes = 0, string? ParentItemId = null, int RangeCount = 0, bool Isolate = false)
{
    public static WorkItemTicket Of(WorkItemRecord item) => new(item.ItemId, item.Kind, item.TotalBytes, item.ParentItemId, item.RangeCount, item.Isolate);
}

/// <summary>The result of one <see cref="RunSteps.ObserveAsync"/> unit.</summary>
/// <param name="More">True when observation has more units left; false once every work item of the run is written.</param>
/// <param name="NewItems">The work items this unit wrote (capped; the rest are found by <see cref="RunSteps.CheckCompletionAsync"/>).</param>
/// <param name="TotalActions">Actions planned so far in the run.</param>
/// <param name="TotalBytes">Bytes those actions cover.</param>
/// <param name="Staged">Change-feed runs: items staged from the feed so far.</param>
/// <param name="NotCoordinator">The caller does not hold the run's coordinator lease: nothing was done.</param>
/// <param name="WorkItems">Work items of the run written so far (0 once observation is done: nothing to execute, finalize at once).</param>
public sealed record ObserveResult(bool More, IReadOnlyList<WorkItemTicket> NewItems, long TotalActions, long TotalBytes, long Staged = 0, bool NotCoordinator = false, int WorkItems = 0);

/// <summary>An action ended in a step (for a host's live progress).</summary>
/// <param name="Path">Its path.</param>
/// <param name="Bytes">Bytes of a Done transfer; 0 otherwise.</param>
public sealed record ActionEnded(string Path, long Bytes);

public enum WorkOutcome
{
    /// <summary>The item ended: every action Done, Failed or Skipped.</summary>
    Done,

    /// <summary>The item was done already (a duplicate call).</summary>
    AlreadyDone,

    /// <summary>Another worker holds a live lease on it.</summary>
    Held,

    /// <summary>The claim was lost to another worker meanwhile (lease expired and taken); that worker finishes it.</summary>
    Lost,

    /// <summary>The caller's token stopped it; the item was released with its checkpoints.</summary>
    Interrupted,

    /// <summary>Part of the item ended (its window); the rest is pending again.</summary>
    Continued,

    /// <summary>A large file's commit waits for chunk ranges that are not done.</summary>
    NotReady,

    /// <summary>Not claimable yet (its run's observation is not finished for a change feed; deletes wait for the rest).</summary>
    Waiting,

    /// <summary>An error escaped the item; it was released and is retried (given up after repeated failures).</summary>
    Errored,
}

/// <summary>What this call transferred (bytes through this worker, chunks reused after a crash).</summary>
public sealed record TransferCounters(long Files = 0, long Bytes = 0, long ReusedChunks = 0, long ResumedBytes = 0, long UnchangedBytes = 0)
{
    public static TransferCounters None { get; } = new();

    public TransferCounters Add(TransferCounters other) =>
        new(Files + other.Files, Bytes + other.Bytes, ReusedChunks + other.ReusedChunks, ResumedBytes + other.ResumedBytes, UnchangedBytes + other.UnchangedBytes);
}

/// <summary>The result of executing one work item (or chunk range, or large-file commit).</summary>
/// <param name="Outcome">How the call ended.</param>
/// <param name="Succeeded">Actions that ended Done in this call.</param>
/// <param name="Failed">Actions that ended Failed in this call.</param>
/// <param name="Skipped">Actions that ended Skipped in this call.</param>
/// <param name="Transferred">What this call moved.</param>
/// <param name="CommitReady">A chunk range that completed its file's set of ranges: the parent item to commit now.</param>
/// <param name="Message">Why (errors, waiting).</param>
public sealed record WorkItemResult(
    WorkOutcome Outcome,
    int Succeeded = 0,
    int Failed = 0,
    int Skipped = 0,
    TransferCounters? Transferred = null,
    string? CommitReady = null,
    string? Message = null)
{
    public TransferCounters Counters => Transferred ?? TransferCounters.None;
}

/// <summary>The result of <see cref="RunSteps.CheckCompletionAsync"/>: the fan-in of the run's item rows.</summary>
/// <param name="ObserveDone">Every work item of the run is written.</param>
/// <param name="NotDone">Items not Done.</param>
/// <param name="HeldByOthers">Items claimed under a live lease.</param>
/// <param name="Claimable">Items any worker may claim now (pending, or their lease ran out), capped; deletes only when everything else is done.</param>
/// <param name="Complete">Nothing is left: the run can be finalized.</param>
/// <param name="CancelRequested">The run was asked to stop (<c>runs cancel</c>).</param>
/// <param name="Progress">Counts over the run's items (actions planned, ended, bytes).</param>
public sealed record CompletionResult(
    bool ObserveDone,
    int NotDone,
    int HeldByOthers,
    IReadOnlyList<WorkItemTicket> Claimable,
    bool Complete,
    bool CancelRequested,
    RunProgress Progress);

/// <summary>A run's progress, summed from its item rows.</summary>
public sealed record RunProgress(long Actions, long Ended, long Succeeded, long Failed, long Skipped, long TotalBytes, long BytesDone);

/// <summary>The result of <see cref="RunSteps.FinalizeAsync"/> or <see cref="RunSteps.CancelRunAsync"/>.</summary>
/// <param name="Status">The run's final status (Running: not finalized, see <paramref name="Message"/>).</param>
/// <param name="Progress">The run's final counts.</param>
/// <param name="HeldBackDeletes">Deletes the delete guard held back.</param>
/// <param name="DeletesHeldBack">The delete guard held back every delete of the run.</param>
/// <param name="RunAgain">The pair was marked dirty while the run was active: start another run.</param>
/// <param name="Message">Why not finalized.</param>
public sealed record FinalizeResult(RunStatus Status, RunProgress Progress, long HeldBackDeletes, bool DeletesHeldBack, bool RunAgain = false, string? Message = null);

/// <summary>The result of <see cref="RunSteps.RenewCoordinatorLeaseAsync"/>.</summary>
/// <param name="Held">The caller still coordinates the run.</param>
/// <param name="CancelRequested">The run was asked to stop.</param>
/// <param name="Ended">The run has ended (by someone else: cancelled with its coordinator silent, ...).</param>
public sealed record LeaseResult(bool Held, bool CancelRequested, bool Ended);
