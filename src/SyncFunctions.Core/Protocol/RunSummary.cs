using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Protocol;

/// <summary>How a run (or this process's share of it) ended.</summary>
public enum RunOutcome
{
    /// <summary>Every action ended well.</summary>
    Succeeded,

    /// <summary>The run ended; some items failed (they are in the carry-over set).</summary>
    CompletedWithFailures,

    /// <summary>The run ended but deletes were held back by the delete limit (they are in the carry-over set).</summary>
    DeletesHeldBack,

    /// <summary>The run was cancelled (runs cancel).</summary>
    Cancelled,

    /// <summary>This process was interrupted; the run stays resumable.</summary>
    Interrupted,

    /// <summary>Another live process owns the pair's active run.</summary>
    PairBusy,

    /// <summary>A fatal error ended the run (bad credentials, missing source, ...).</summary>
    Failed,
}

/// <summary>One planned change, as a dry run reports it.</summary>
public sealed record PlannedChange(string Kind, string Path, long Size, string Reason);

/// <summary>One failed or skipped path with its reason.</summary>
public sealed record PathProblem(string Path, string Reason);

/// <summary>The result of a run as seen by the process that ran (or joined) it.</summary>
public sealed record RunSummary
{
    public required string PairId { get; init; }
    public string? RunId { get; init; }
    public RunOutcome Outcome { get; init; }
    public bool DryRun { get; init; }
    public bool Resumed { get; init; }

    /// <summary>Actions planned in the whole run.</summary>
    public long Total { get; init; }
    public long Succeeded { get; init; }
    public long Failed { get; init; }
    public long Skipped { get; init; }

    /// <summary>Files whose content this process transferred (uploads, copies, downloads).</summary>
    public long TransferredByThisProcess { get; init; }

    /// <summary>Body bytes this process sent or received (server-side copies count 0).</summary>
    public long BytesTransferred { get; init; }

    /// <summary>Bytes the run's actions cover in all.</summary>
    public long BytesTotal { get; init; }

    /// <summary>Chunks found already staged after a crash and not sent again.</summary>
    public long ReusedChunks { get; init; }

    /// <summary>Bytes not sent again thanks to checkpoints (staged chunks, partial files).</summary>
    public long ResumedBytes { get; init; }

    /// <summary>Bytes of large files' blocks their destination versions already had: committed by id, not sent (block-level delta).</summary>
    public long UnchangedBytes { get; init; }

    public long HeldBackDeletes { get; init; }
    public TimeSpan Duration { get; init; }
    public IReadOnlyList<PathProblem> Failures { get; init; } = [];
    public IReadOnlyList<PathProblem> SkippedItems { get; init; } = [];

    /// <summary>With --dry-run: what would be done (first 10,000).</summary>
    public IReadOnlyList<PlannedChange> Planned { get; init; } = [];

    /// <summary>With --dry-run: the plan's counts and fingerprint (what <c>POST /api/pairs/{name}/plan</c> shows).</summary>
    public Planning.PlanPreview? Plan { get; init; }
    public string? Message { get; init; }

    /// <summary>A resumed run keeps its stored options: which given options it did not take.</summary>
    public string? Notice { get; init; }

    /// <summary>A trigger marked the pair while the run was active: another run should follow.</summary>
    public bool RunAgain { get; init; }
}
