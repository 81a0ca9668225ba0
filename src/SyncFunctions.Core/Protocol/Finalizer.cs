using SyncFunctions.Abstractions;
using SyncFunctions.Core.InProcess;
using SyncFunctions.Core.Planning;

namespace SyncFunctions.Core.Protocol;

/// <summary>
/// Fan-in: sums the item rows (workers never share a counter row), records failed actions and held-back
/// deletes in the pair's carry-over set, ends the run and releases the pair, committing the pending cursor.
/// </summary>
internal sealed class Finalizer(RunContext ctx)
{
    private const int MaxListed = 1000;

    public async Task<(RunRecord Run, List<PathProblem> Failures, List<PathProblem> Skipped)> FinalizeAsync(CancellationToken cancellationToken)
    {
        long succeeded = 0, failed = 0, skipped = 0, bytes = 0;
        var failures = new List<PathProblem>();
        var skippedList = new List<PathProblem>();
        var carry = new List<CarryOverEntry>();
        var items = ctx.Run.WorkItemCount == 0 ? EmptyAsync<WorkItemRecord>() : ctx.Ledger.ListWorkItemsAsync(ctx.RunId, cancellationToken);
        await foreach (var item in items.ConfigureAwait(false))
        {
            succeeded += item.Succeeded;
            failed += item.Failed;
            skipped += item.Skipped;
            bytes += item.BytesDone;
            if (item.Failed == 0 && item.Skipped == 0)
            {
                continue;
            }

            var actions = await ctx.Retry.ExecuteAsync(async ct => await ctx.Ledger.GetActionsAsync(ctx.RunId, item.ItemId, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            foreach (var a in actions)
            {
                var problem = new PathProblem(a.Path, a.LastError ?? a.Status.ToString());
                if (a.Status == ActionStatus.Failed)
                {
                    AddCapped(failures, problem);
                    carry.Add(Carry(a, CarryOverReason.Failed));
                }
                else if (a.Status == ActionStatus.Skipped)
                {
                    AddCapped(skippedList, problem);
                    if (a.Kind == ActionKind.Delete)
                    {
                        carry.Add(Carry(a, CarryOverReason.HeldBackDelete));
                    }
                }
            }
        }

        await UpdateCarryOverAsync(carry, cancellationToken).ConfigureAwait(false);
        if (ctx.Source is IChangeSource && !ctx.NothingStaged)
        {
            await ChangePlanner.ApplyTreeAsync(ctx, cancellationToken).ConfigureAwait(false);
        }

        var status = failed > 0 || ctx.Run.DeletesHeldBack ? RunStatus.CompletedWithFailures : RunStatus.Succeeded;
        var run = await ctx.UpdateRunAsync(
            r => r.Status != RunStatus.Running ? null : r with
            {
                Status = status,
                EndedAt = ctx.Now,
                SucceededActions = succeeded,
                FailedActions = failed,
                SkippedActions = skipped,
                BytesDone = bytes,
            },
            cancellationToken).ConfigureAwait(false);
        await ReleasePairAsync(run.PendingCursor, cancellationToken).ConfigureAwait(false);
        Logs.RunEnded(ctx.Log, ctx.RunId, run.Status.ToString());
        return (run, failures, skippedList);
    }

    /// <summary>Ends the run as cancelled and releases the pair; the cursor does not move.</summary>
    public async Task<RunRecord> CancelAsync(CancellationToken cancellationToken)
    {
        var run = await ctx.UpdateRunAsync(r => r.Status != RunStatus.Running ? null : r with { Status = RunStatus.Cancelled, EndedAt = ctx.Now }, cancellationToken).ConfigureAwait(false);
        await ReleasePairAsync(null, cancellationToken).ConfigureAwait(false);
        if (ctx.Source is IChangeSource)
        {
            // The cursor does not move, so the next run reads these changes again: the staged copy is of no use.
            await ctx.Retry.ExecuteAsync(async ct => await ctx.Ledger.DeleteStagedChangesAsync(ctx.RunId, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }

        Logs.Cancelled(ctx.Log, ctx.RunId);
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

    private static void AddCapped(List<PathProblem> list, PathProblem p)
    {
        if (list.Count < MaxListed)
        {
            list.Add(p);
        }
    }

    /// <summary>
    /// The carry-over set becomes exactly this run's failures and held-back deletes: a listing source
    /// re-plans every path each run, so an entry not failing again has been applied.
    /// </summary>
    private async Task UpdateCarryOverAsync(List<CarryOverEntry> carry, CancellationToken cancellationToken)
    {
        if (carry.Count == 0 && ctx.CarryOverKnownEmpty)
        {
            return;
        }

        var keep = carry.Select(c => c.Path).ToHashSet(StringComparer.Ordinal);
        var removes = new List<string>();
        await foreach (var old in ctx.Ledger.ListCarryOverAsync(ctx.PairId, cancellationToken).ConfigureAwait(false))
        {
            if (!keep.Contains(old.Path))
            {
                removes.Add(old.Path);
            }
        }

        if (carry.Count > 0 || removes.Count > 0)
        {
            await ctx.Retry.ExecuteAsync(async ct => await ctx.Ledger.ApplyCarryOverAsync(ctx.PairId, carry, removes, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async IAsyncEnumerable<T> EmptyAsync<T>()
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield break;
    }

    private async Task ReleasePairAsync(string? cursor, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            // The first try uses the pair row as acquired (no read); a conflict re-reads it.
            var known = attempt == 0 ? ctx.Pair : null;
            var pair = known ?? await ctx.Retry.ExecuteAsync(async ct => await ctx.Ledger.GetPairAsync(ctx.PairId, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            if (pair is null || pair.ActiveRunId != ctx.RunId)
            {
                return;
            }

            var released = pair with { ActiveRunId = null, Cursor = cursor ?? pair.Cursor };
            if (await ctx.Retry.ExecuteAsync(async ct => await ctx.Ledger.TryUpdatePairAsync(released, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false) is not null)
            {
                return;
            }
        }
    }
}
