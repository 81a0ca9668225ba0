using SyncFunctions.Abstractions;
using SyncFunctions.Core.Planning;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.InProcess;

internal sealed partial class DriveSession
{
    private const int MaxListedPlan = 10_000;

    /// <summary>How long the ledger writes that save an interrupted run's state may take after the interrupt.</summary>
    private static readonly TimeSpan SaveGrace = TimeSpan.FromMinutes(2);

    private async Task<RunSummary> EndAsync(bool isCoordinator, bool complete, CancellationToken interrupt)
    {
        using var grace = new CancellationTokenSource(SaveGrace, Env.Time);
        if (_cancelRequested && isCoordinator)
        {
            await steps.CancelRunAsync(run, grace.Token).ConfigureAwait(false);
            Logs.Cancelled(driver.Log, run.RunId);
            return Summary(await ReadRunAsync(grace.Token).ConfigureAwait(false), RunOutcome.Cancelled);
        }

        if (!complete)
        {
            if (isCoordinator && !_ownershipLost)
            {
                // Hand the run over at once: the next start of the pair takes it over without waiting for the lease.
                await Try(() => steps.ReleaseRunAsync(run, _fatal?.Message, grace.Token)).ConfigureAwait(false);
            }

            var row = await ReadRunAsync(grace.Token).ConfigureAwait(false);
            if (_fatal is not null)
            {
                return Summary(row, RunOutcome.Failed) with { Message = _fatal.Message };
            }

            if (_cancelRequested || row?.Status == RunStatus.Cancelled)
            {
                return Summary(row, RunOutcome.Cancelled);
            }

            if (!isCoordinator && !interrupt.IsCancellationRequested)
            {
                // A joiner's share is done; the coordinator finalizes the run (or already has).
                var outcome = row is null || row.Status == RunStatus.Running ? RunOutcome.Succeeded : OutcomeOf(row);
                return Summary(row, outcome) with
                {
                    Message = row is null || row.Status == RunStatus.Running ? $"no claimable work left in run {run.RunId}; its coordinator finishes it" : null,
                };
            }

            Logs.Interrupted(driver.Log, run.RunId);
            return Summary(row, RunOutcome.Interrupted) with
            {
                Message = _ownershipLost ? $"another process took over run {run.RunId}; it finishes the run" : null,
            };
        }

        if (options.DryRun)
        {
            return DryRunSummary(await ReadRunAsync(grace.Token).ConfigureAwait(false));
        }

        // Finalizing is work like any other (a 100,000-item run deletes its staged items): no grace period to run out
        // of; an interrupt stops it and the next start of the pair finalizes the run again.
        var final = await StepCalls.RunAsync(ct => steps.FinalizeAsync(run, ct), Env.Time, interrupt).ConfigureAwait(false);
        var (failures, skipped) = final.Progress.Failed + final.Progress.Skipped == 0
            ? ([], [])
            : await steps.ListProblemsAsync(run.RunId, driver.MaxProblems, interrupt).ConfigureAwait(false);
        var summary = Summary(null, final.Status == RunStatus.Running ? RunOutcome.Interrupted : OutcomeOf(final)) with
        {
            Total = final.Progress.Actions,
            Succeeded = final.Progress.Succeeded,
            Failed = final.Progress.Failed,
            Skipped = final.Progress.Skipped,
            BytesTotal = final.Progress.TotalBytes,
            HeldBackDeletes = final.HeldBackDeletes,
            Failures = failures,
            SkippedItems = skipped,
            RunAgain = final.RunAgain,
            Message = final.Status == RunStatus.Running ? final.Message : HeldBackMessage(final.DeletesHeldBack, final.HeldBackDeletes),
        };
        return summary;
    }

    /// <summary>The summary of a run row (null: the row could not be read) as this process saw the run.</summary>
    public RunSummary Summary(RunRecord? row, RunOutcome? outcome)
    {
        var summary = new RunSummary
        {
            PairId = run.PairId,
            RunId = run.RunId,
            Outcome = outcome ?? (row is null ? RunOutcome.Interrupted : OutcomeOf(row)),
            Resumed = Resumed,
            DryRun = options.DryRun,
            TransferredByThisProcess = _counters.Files,
            BytesTransferred = _counters.Bytes,
            ReusedChunks = _counters.ReusedChunks,
            ResumedBytes = _counters.ResumedBytes,
            UnchangedBytes = _counters.UnchangedBytes,
            Duration = Env.Time.GetElapsedTime(started),
            Notice = Notice,
        };
        if (row is null)
        {
            return summary;
        }

        return summary with
        {
            Total = row.TotalActions,
            Succeeded = row.SucceededActions,
            Failed = row.FailedActions,
            Skipped = row.SkippedActions,
            BytesTotal = row.TotalBytes,
            HeldBackDeletes = row.HeldBackDeletes,
            Message = HeldBackMessage(row.DeletesHeldBack, row.HeldBackDeletes),
        };
    }

    /// <summary>A dry run's report: the plan the run steps wrote into the overlay, which a real run would execute.</summary>
    private RunSummary DryRunSummary(RunRecord? row)
    {
        var held = row?.DeletesHeldBack == true;
        var plan = PlanPreview.Of(DryRunLedger?.PlannedActions(int.MaxValue) ?? [], held, MaxListedPlan);
        return Summary(row, held ? RunOutcome.DeletesHeldBack : RunOutcome.Succeeded) with
        {
            Succeeded = 0,
            Failed = 0,
            Skipped = plan.Skipped,
            BytesTotal = plan.Bytes,
            SkippedItems = plan.SkippedItems,
            Planned = plan.Items,
            Plan = plan,
            Message = held ? $"{row!.HeldBackDeletes} deletes would be held back by the delete limit" : null,
        };
    }

    private async Task<RunRecord?> ReadRunAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await steps.Ledger.GetRunAsync(run.PairId, run.RunId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StorageException or OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task Try(Func<Task> save)
    {
        try
        {
            await save().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StorageException or OperationCanceledException)
        {
            // The lease runs out on its own; the next start takes the run over then.
        }
    }

    private static string? HeldBackMessage(bool heldBack, long deletes) =>
        heldBack ? $"{deletes} deletes held back by the delete limit; they stay in the pair's carry-over set" : null;

    private static RunOutcome OutcomeOf(FinalizeResult final) => final.Status switch
    {
        RunStatus.Cancelled => RunOutcome.Cancelled,
        RunStatus.Failed => RunOutcome.Failed,
        RunStatus.Running => RunOutcome.Interrupted,
        _ when final.Progress.Failed > 0 => RunOutcome.CompletedWithFailures,
        _ when final.DeletesHeldBack => RunOutcome.DeletesHeldBack,
        _ => RunOutcome.Succeeded,
    };

    private static RunOutcome OutcomeOf(RunRecord run) => run.Status switch
    {
        RunStatus.Cancelled => RunOutcome.Cancelled,
        RunStatus.Failed => RunOutcome.Failed,
        RunStatus.Running => RunOutcome.Interrupted,
        _ when run.FailedActions > 0 => RunOutcome.CompletedWithFailures,
        _ when run.DeletesHeldBack => RunOutcome.DeletesHeldBack,
        _ => RunOutcome.Succeeded,
    };
}
