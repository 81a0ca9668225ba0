using SyncFunctions.Abstractions;
using SyncFunctions.Core.Planning;

namespace SyncFunctions.Core.Protocol;

public sealed partial class RunSteps
{
    /// <summary>
    /// Fan-in from the run's item rows: what is not done, what any worker may claim now (pending items, and claims
    /// whose lease ran out), whether the run is complete. Workers never update a shared counter: the counts are summed
    /// here. Folder-move items come first, one at a time, and nothing else is claimable while one is open; deletes
    /// become claimable only when everything else is done; a ranged file's commit when its ranges are.
    /// </summary>
    /// <remarks>
    /// The order is the claimable list's: a host drives only the items listed here (as the in-process driver and the
    /// step simulation do). <see cref="ExecuteWorkItemAsync"/> does not re-check it.
    /// </remarks>
    public async Task<CompletionResult> CheckCompletionAsync(RunRef run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var row = await LoadRunAsync(run.PairId, run.RunId, cancellationToken).ConfigureAwait(false);
        var items = row.WorkItemCount == 0 && row.ObserveDone ? [] : await ListItemsAsync(run.RunId, cancellationToken).ConfigureAwait(false);
        return Completion(row, items);
    }

    /// <summary>
    /// Ends a complete run (see <see cref="Finalizer"/>): the cursor is committed last. Only the coordinator may; a run
    /// that is not complete is left as it is (<see cref="FinalizeResult.Status"/> Running, with the reason).
    /// </summary>
    public async Task<FinalizeResult> FinalizeAsync(RunRef run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var row = await LoadRunAsync(run.PairId, run.RunId, cancellationToken).ConfigureAwait(false);
        var items = row.WorkItemCount == 0 && row.ObserveDone ? [] : await ListItemsAsync(run.RunId, cancellationToken).ConfigureAwait(false);
        if (row.Status != RunStatus.Running)
        {
            return Ended(row, items);
        }

        if (!IsCoordinator(row, run.CoordinatorId))
        {
            return Ended(row, items) with { Message = "not the run's coordinator" };
        }

        var completion = Completion(row, items);
        if (!completion.Complete)
        {
            return Ended(row, items) with { Message = $"not complete: {completion.NotDone} work items are not done" };
        }

        var ctx = ContextFor(row);
        var (ended, again) = await new Finalizer(ctx).FinalizeAsync(items, cancellationToken).ConfigureAwait(false);
        return Ended(ended, items) with { RunAgain = again };
    }

    /// <summary>Ends the run as Cancelled (its cursor does not move) and releases the pair.</summary>
    public async Task<FinalizeResult> CancelRunAsync(RunRef run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var row = await LoadRunAsync(run.PairId, run.RunId, cancellationToken).ConfigureAwait(false);
        var ended = row.Status == RunStatus.Running ? await new Finalizer(ContextFor(row)).CancelAsync(cancellationToken).ConfigureAwait(false) : row;
        return Ended(ended, []);
    }

    /// <summary>Failed and skipped actions of a run with their reasons, at most <paramref name="max"/> of each.</summary>
    public async Task<(IReadOnlyList<PathProblem> Failures, IReadOnlyList<PathProblem> Skipped)> ListProblemsAsync(string runId, int max, CancellationToken cancellationToken)
    {
        var failures = new List<PathProblem>();
        var skipped = new List<PathProblem>();
        await foreach (var item in Ledger.ListWorkItemsAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            if (item.Failed == 0 && item.Skipped == 0 || item.Kind == WorkItemKind.ChunkRange)
            {
                continue;
            }

            foreach (var a in await Ledger.GetActionsAsync(runId, item.ItemId, cancellationToken).ConfigureAwait(false))
            {
                var list = a.Status == ActionStatus.Failed ? failures : a.Status == ActionStatus.Skipped ? skipped : null;
                if (list is not null && list.Count < max)
                {
                    list.Add(new PathProblem(a.Path, a.LastError ?? a.Status.ToString()));
                }
            }
        }

        return (failures, skipped);
    }

    private async Task<List<WorkItemRecord>> ListItemsAsync(string runId, CancellationToken cancellationToken)
    {
        var items = new List<WorkItemRecord>();
        await foreach (var item in Ledger.ListWorkItemsAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            items.Add(item);
        }

        return items;
    }

    private CompletionResult Completion(RunRecord row, IReadOnlyList<WorkItemRecord> items)
    {
        var now = Env.Time.GetUtcNow();
        var open = items.Where(i => i.Status != WorkStatus.Done).ToList();
        var rangesOpen = open.Where(i => i.Kind == WorkItemKind.ChunkRange).Select(i => i.ParentItemId).ToHashSet(StringComparer.Ordinal);
        var othersOpen = open.Any(i => i.Kind != WorkItemKind.Deletes);

        // Folder moves run first, one item after the other in plan order: the rest of the plan addresses the
        // destination as they leave it, and a later folder move may start inside an earlier one's target.
        var firstFolderMoves = open.Where(i => i.Kind == WorkItemKind.FolderMoves).Select(i => i.ItemId).Order(StringComparer.Ordinal).FirstOrDefault();
        var claimable = new List<WorkItemTicket>();
        var gated = PlanGateClosed(row);
        var held = 0;
        foreach (var item in open)
        {
            if (item.Status == WorkStatus.Claimed && item.LeaseExpires > now)
            {
                held++;
                continue;
            }

            var ready = item.Kind switch
            {
                WorkItemKind.FolderMoves => item.ItemId == firstFolderMoves,
                _ when firstFolderMoves is not null => false,
                WorkItemKind.Deletes => row.ObserveDone && !othersOpen,
                WorkItemKind.LargeFile when item.RangeCount > 0 => !rangesOpen.Contains(item.ItemId),
                _ => true,
            };
            if (ready && !gated && !(IsChangeFeed && !row.ObserveDone) && claimable.Count < Env.Steps.MaxClaimableListed)
            {
                claimable.Add(WorkItemTicket.Of(item));
            }
        }

        return new CompletionResult(row.ObserveDone, open.Count, held, claimable, row.ObserveDone && open.Count == 0, row.CancelRequested, Tally(row, items));
    }

    private static FinalizeResult Ended(RunRecord row, IReadOnlyList<WorkItemRecord> items) =>
        new(row.Status, Tally(row, items), row.HeldBackDeletes, row.DeletesHeldBack);

    private static RunProgress Tally(RunRecord row, IReadOnlyList<WorkItemRecord> items)
    {
        var real = items.Where(i => i.Kind != WorkItemKind.ChunkRange).ToList();
        long succeeded = real.Sum(i => (long)i.Succeeded), failed = real.Sum(i => (long)i.Failed), skipped = real.Sum(i => (long)i.Skipped);
        var actions = Math.Max(row.TotalActions, real.Sum(i => (long)i.ActionCount));
        var committed = real.Where(i => i.Status == WorkStatus.Done).Select(i => i.ItemId).ToHashSet(StringComparer.Ordinal);
        var staging = items.Where(i => i.Kind == WorkItemKind.ChunkRange && i.Status == WorkStatus.Done && !committed.Contains(i.ParentItemId ?? ""));
        var bytesDone = real.Sum(i => i.BytesDone) + staging.Sum(i => i.BytesDone);
        return new RunProgress(actions, succeeded + failed + skipped, succeeded, failed, skipped, row.TotalBytes, bytesDone);
    }
}
