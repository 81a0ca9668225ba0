using SyncFunctions.Abstractions;
using SyncFunctions.Core.Planning;

namespace SyncFunctions.Core.Protocol;

/// <summary>
/// Fan-in: sums the item rows (workers never share a counter row), records failed actions and held-back
/// deletes in the pair's carry-over set, ends the run and releases the pair, committing the pending cursor.
/// </summary>
internal sealed class Finalizer(StepContext ctx)
{
    /// <summary>
    /// Ends a run whose every item is done: sums the items, writes the carry-over set, applies the change feed's tree,
    /// removes the staged changed paths the run took, commits a snapshot destination's snapshot, ends the run, then releases the pair and commits the pending
    /// cursor, last. A dry run writes none of that
    /// (its ledger is an overlay that is thrown away).
    /// </summary>
    public async Task<(RunRecord Run, bool RunAgain)> FinalizeAsync(IReadOnlyList<WorkItemRecord> items, CancellationToken cancellationToken)
    {
        long succeeded = 0, failed = 0, skipped = 0, bytes = 0;
        var carry = new List<CarryOverEntry>();
        foreach (var item in items.Where(i => i.Kind != WorkItemKind.ChunkRange))
        {
            succeeded += item.Succeeded;
            failed += item.Failed;
            skipped += item.Skipped;
            bytes += item.BytesDone;
            if (item.Failed == 0 && item.Skipped == 0)
            {
                continue;
            }

            foreach (var a in await ctx.Ledger.GetActionsAsync(ctx.RunId, item.ItemId, cancellationToken).ConfigureAwait(false))
            {
                if (a.Status == ActionStatus.Failed && a.Kind == ActionKind.MoveFolder)
                {
                    // Its path is a folder: the files it could not move are in the carry-over set already, at their paths.
                    continue;
                }

                if (a.Status == ActionStatus.Failed)
                {
                    carry.Add(Carry(a, CarryOverReason.Failed));
                }
                else if (a.Status == ActionStatus.Skipped && a.Kind == ActionKind.Delete)
                {
                    carry.Add(Carry(a, CarryOverReason.HeldBackDelete));
                }
            }
        }

        var dryRun = ctx.Options.DryRun;
        var changeFeed = ctx.Source.GetCapability<IChangeSource>() is not null;
        if (!dryRun)
        {
            await UpdateCarryOverAsync(carry, cancellationToken).ConfigureAwait(false);
            if (changeFeed && ctx.Run.StagedCount > 0)
            {
                await ChangePlanner.ApplyTreeAsync(ctx, cancellationToken).ConfigureAwait(false);
            }
        }

        var status = failed > 0 || ctx.Run.DeletesHeldBack ? RunStatus.CompletedWithFailures : RunStatus.Succeeded;
        if (!dryRun && ctx.Destination.GetCapability<ISnapshotCommitter>() is { } snapshots)
        {
            // The baseline now holds every file as this run left it: it becomes the pair's next snapshot, before the run
            // ends and the cursor moves (a retried finalize finds the snapshot at the head and writes nothing).
            var request = new SnapshotCommitRequest(ctx.PairId, ctx.Source.DisplayName, ctx.RunId, ctx.Env.Owner.Host, status != RunStatus.Succeeded);
            var snapshot = await snapshots.CommitSnapshotAsync(request, ctx.Ledger.ListBaselineAsync(ctx.PairId, cancellationToken), cancellationToken).ConfigureAwait(false);
            Logs.SnapshotCommitted(ctx.Log, ctx.RunId, snapshot.SnapshotId, snapshot.Files, snapshot.Bytes);
        }
        if (!dryRun && ctx.Run.ChangedPathCount > 0)
        {
            // Applied (or carried over): the staged paths this run took are done; ones staged again since stay.
            await ctx.Ledger.RemoveChangedPathsAsync(ctx.PairId, ctx.RunId, cancellationToken).ConfigureAwait(false);
        }

        var run = await ctx.UpdateRunAsync(
            r => r.Status != RunStatus.Running ? null : r with
            {
                Status = status,
                EndedAt = ctx.Now,
                SucceededActions = succeeded,
                FailedActions = failed,
                SkippedActions = skipped,
                BytesDone = bytes,
                CoordinatorLeaseExpires = null,
            },
            cancellationToken).ConfigureAwait(false);
        var again = await ReleasePairAsync(dryRun ? null : run.PendingCursor, completed: true, cancellationToken).ConfigureAwait(false);
        Logs.RunEnded(ctx.Log, ctx.RunId, run.Status.ToString());
        return (run, again);
    }

    /// <summary>Ends the run as cancelled and releases the pair; the cursor does not move.</summary>
    public async Task<RunRecord> CancelAsync(CancellationToken cancellationToken)
    {
        var run = await ctx.UpdateRunAsync(r => r.Status != RunStatus.Running ? null : r with { Status = RunStatus.Cancelled, EndedAt = ctx.Now, CoordinatorLeaseExpires = null }, cancellationToken).ConfigureAwait(false);
        await ReleasePairAsync(null, completed: false, cancellationToken).ConfigureAwait(false);
        if (ctx.Source.GetCapability<IChangeSource>() is not null)
        {
            // The cursor does not move, so the next run reads these changes again: the staged copy is of no use.
            await ctx.Ledger.DeleteStagedChangesAsync(ctx.RunId, cancellationToken).ConfigureAwait(false);
        }

        Logs.Cancelled(ctx.Log, ctx.RunId);
        if (ctx.Destination.GetCapability<ISnapshotCommitter>() is not null)
        {
            Logs.SnapshotNotCommitted(ctx.Log, ctx.RunId);
        }

        return run;
    }

    private CarryOverEntry Carry(ActionRecord a, CarryOverReason reason) => new()
    {
        PairId = ctx.PairId,
        Path = a.Path,
        Reason = reason,
        Message = a.LastError,
        RunId = ctx.RunId,
        Since = ctx.Now,
    };

    /// <summary>
    /// The carry-over set becomes exactly this run's failures and held-back deletes: a listing source
    /// re-plans every path each run, so an entry not failing again has been applied.
    /// </summary>
    private async Task UpdateCarryOverAsync(List<CarryOverEntry> carry, CancellationToken cancellationToken)
    {
        if (carry.Count == 0 && ctx.Run.CarryOverWasEmpty)
        {
            return;
        }

        var keep = carry.Select(c => c.Path).ToHashSet(StringComparer.Ordinal);
        var removes = new List<string>();
        await foreach (var old in ctx.Ledger.ListCarryOverAsync(ctx.PairId, cancellationToken).ConfigureAwait(false))
        {
            // Entries this run wrote while it executed (files a folder move could not move) are this run's failures.
            if (!keep.Contains(old.Path) && old.RunId != ctx.RunId)
            {
                removes.Add(old.Path);
            }
        }

        if (carry.Count > 0 || removes.Count > 0)
        {
            await ctx.Ledger.ApplyCarryOverAsync(ctx.PairId, carry, removes, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Clears the pair's active run (committing <paramref name="cursor"/>, and, for a <paramref name="completed"/> run,
    /// recording it as the pair's last completed run); true when the pair was marked to run again.
    /// </summary>
    private async Task<bool> ReleasePairAsync(string? cursor, bool completed, CancellationToken cancellationToken)
    {
        var dirty = false;
        await ctx.Steps.UpdatePairAsync(
            ctx.PairId,
            null,
            pair =>
            {
                if (pair.ActiveRunId != ctx.RunId)
                {
                    return null;
                }

                dirty = pair.Dirty;
                return pair with { ActiveRunId = null, Dirty = false, Cursor = cursor ?? pair.Cursor, LastCompletedRunId = completed ? ctx.RunId : pair.LastCompletedRunId };
            },
            cancellationToken).ConfigureAwait(false);
        return dirty;
    }
}
