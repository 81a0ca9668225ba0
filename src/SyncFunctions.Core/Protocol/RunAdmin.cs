using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Protocol;

/// <summary>Counts of a run's actions by status, read from the ledger's action rows.</summary>
public sealed record RunTally(long Pending, long Claimed, long Done, long Failed, long Skipped, long BytesDone)
{
    public long Total => Pending + Claimed + Done + Failed + Skipped;
}

/// <summary>What <see cref="RunAdmin.ShowAsync"/> returns about one run.</summary>
/// <param name="Run">The run row.</param>
/// <param name="Pair">Its pair row, or null when it is gone.</param>
/// <param name="Tally">Live counts from the action rows (the run row's counters are refreshed only at fan-in).</param>
/// <param name="Problems">Failed and skipped actions with their last error, at most the requested number.</param>
/// <param name="ProblemsOmitted">Failed and skipped actions beyond that number.</param>
/// <param name="CarryOver">The pair's carry-over set: failed actions and held-back deletes later runs re-plan.</param>
public sealed record RunDetails(
    RunRecord Run,
    PairRecord? Pair,
    RunTally Tally,
    IReadOnlyList<ActionRecord> Problems,
    long ProblemsOmitted,
    IReadOnlyList<CarryOverEntry> CarryOver);

public enum CancelResultKind
{
    /// <summary>No run has that id.</summary>
    NotFound,

    /// <summary>The run had already ended; nothing changed.</summary>
    AlreadyEnded,

    /// <summary>The owner is alive: it was asked to stop and will end the run as Cancelled.</summary>
    Requested,

    /// <summary>The owner was dead: the run was ended as Cancelled here and the pair released.</summary>
    Cancelled,
}

/// <summary>The result of <see cref="RunAdmin.CancelAsync"/>.</summary>
public sealed record CancelResult(CancelResultKind Kind, RunRecord? Run);

/// <summary>
/// Administration of runs on the ledger: list, show, cancel. The CLI (and later the HTTP management
/// API) only maps these results to output.
/// </summary>
/// <remarks>
/// Thread-safe; every write is a CAS on the row's ETag, retried on conflict after a fresh read, so
/// cancelling races safely with the engines that work on the run.
/// </remarks>
public sealed class RunAdmin
{
    private const int MaxCasAttempts = 20;
    private readonly ILedger _ledger;
    private readonly TimeProvider _time;

    public RunAdmin(ILedger ledger, TimeProvider time)
    {
        _ledger = ledger;
        _time = time;
    }

    /// <summary>Runs of one pair (or all pairs), newest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<RunRecord>> ListAsync(string? pairId, int limit, CancellationToken cancellationToken)
    {
        var runs = new List<RunRecord>();
        await foreach (var run in _ledger.ListRunsAsync(pairId, cancellationToken).ConfigureAwait(false))
        {
            runs.Add(run);
        }

        return runs
            .OrderByDescending(r => r.CreatedAt)
            .ThenByDescending(r => r.RunId, StringComparer.Ordinal)
            .Take(Math.Max(0, limit))
            .ToList();
    }

    /// <summary>One run with live action counts, its failed/skipped actions and the pair's carry-over set; null when unknown.</summary>
    public async Task<RunDetails?> ShowAsync(string runId, int maxProblems, CancellationToken cancellationToken)
    {
        var run = await _ledger.FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (run is null)
        {
            return null;
        }

        var pair = await _ledger.GetPairAsync(run.PairId, cancellationToken).ConfigureAwait(false);
        long pending = 0, claimed = 0, done = 0, failed = 0, skipped = 0, bytes = 0, omitted = 0;
        var problems = new List<ActionRecord>();
        await foreach (var item in _ledger.ListWorkItemsAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            var actions = await _ledger.GetActionsAsync(runId, item.ItemId, cancellationToken).ConfigureAwait(false);
            foreach (var action in actions)
            {
                bytes += action.BytesDone;
                switch (action.Status)
                {
                    case ActionStatus.Pending: pending++; break;
                    case ActionStatus.Claimed: claimed++; break;
                    case ActionStatus.Done: done++; break;
                    case ActionStatus.Failed: failed++; break;
                    case ActionStatus.Skipped: skipped++; break;
                }

                if (action.Status is ActionStatus.Failed or ActionStatus.Skipped)
                {
                    if (problems.Count < maxProblems)
                    {
                        problems.Add(action);
                    }
                    else
                    {
                        omitted++;
                    }
                }
            }
        }

        var carryOver = new List<CarryOverEntry>();
        await foreach (var entry in _ledger.ListCarryOverAsync(run.PairId, cancellationToken).ConfigureAwait(false))
        {
            carryOver.Add(entry);
        }

        return new RunDetails(run, pair, new RunTally(pending, claimed, done, failed, skipped, bytes), problems, omitted, carryOver);
    }

    /// <summary>
    /// Cancels a run: sets <see cref="RunRecord.CancelRequested"/> so its live workers stop and end it
    /// as Cancelled. When the owner is dead (per <paramref name="liveness"/>, or, on another host, a
    /// heartbeat older than <paramref name="heartbeatTimeout"/>) nobody would do that, so the run is ended
    /// as Cancelled here and the pair's active run cleared.
    /// </summary>
    public async Task<CancelResult> CancelAsync(string runId, IOwnerLiveness liveness, TimeSpan heartbeatTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(liveness);
        for (var attempt = 0; attempt < MaxCasAttempts; attempt++)
        {
            var run = await _ledger.FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
            if (run is null)
            {
                return new CancelResult(CancelResultKind.NotFound, null);
            }

            if (run.Status != RunStatus.Running)
            {
                return new CancelResult(CancelResultKind.AlreadyEnded, run);
            }

            var now = _time.GetUtcNow();
            var ownerDead = IsOwnerDead(run, liveness, heartbeatTimeout, now);
            var updated = ownerDead
                ? run with { CancelRequested = true, Status = RunStatus.Cancelled, EndedAt = now, Error = run.Error ?? "cancelled (owner not running)" }
                : run with { CancelRequested = true };
            var stored = run.CancelRequested && !ownerDead ? run : await _ledger.TryUpdateRunAsync(updated, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                continue;
            }

            if (!ownerDead)
            {
                return new CancelResult(CancelResultKind.Requested, stored);
            }

            await ReleasePairAsync(run.PairId, runId, cancellationToken).ConfigureAwait(false);
            return new CancelResult(CancelResultKind.Cancelled, stored);
        }

        throw new InvalidOperationException($"run {runId} kept changing while it was being cancelled; try again");
    }

    /// <summary>
    /// Dead: handed back (no coordinator), known dead on this host, or (when liveness cannot tell) its coordinator
    /// lease ended (a run row without one: silent for longer than <paramref name="lease"/>).
    /// </summary>
    public static bool IsOwnerDead(RunRecord run, IOwnerLiveness liveness, TimeSpan lease, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(liveness);
        if (run.OwnerPid == 0 && run.CoordinatorId is null)
        {
            return true;
        }

        var alive = liveness.IsAlive(run.OwnerHost, run.OwnerPid, run.OwnerStarted);
        return alive switch
        {
            false => true,
            true => false,
            null => now > (run.CoordinatorLeaseExpires ?? run.Heartbeat + lease),
        };
    }

    private async Task ReleasePairAsync(string pairId, string runId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxCasAttempts; attempt++)
        {
            var pair = await _ledger.GetPairAsync(pairId, cancellationToken).ConfigureAwait(false);
            if (pair is null || !string.Equals(pair.ActiveRunId, runId, StringComparison.Ordinal))
            {
                return;
            }

            if (await _ledger.TryUpdatePairAsync(pair with { ActiveRunId = null }, cancellationToken).ConfigureAwait(false) is not null)
            {
                return;
            }
        }

        throw new InvalidOperationException($"pair {pairId} kept changing while run {runId} was being released; try again");
    }
}
