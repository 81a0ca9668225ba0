using SyncFunctions.Abstractions;
using SyncFunctions.Core.Observe;
using SyncFunctions.Core.Planning;

namespace SyncFunctions.Core.Protocol;

public sealed partial class RunSteps
{
    /// <summary>
    /// One bounded unit of observation: for a listing source a segment of at most about <paramref name="maxActions"/>
    /// planned actions (the first unit takes the pair's staged changed paths and decides whether the run checks only
    /// those, see <see cref="ChangedPathObserver"/>); for a change feed one page staged, or, once the feed has arrived, the planning of what it
    /// staged. Says whether more is left. Only the run's coordinator may call it.
    /// </summary>
    /// <param name="run">The run and the caller's coordinator id.</param>
    /// <param name="maxActions">Bound of a listing segment (a driver without history limits may pass <see cref="long.MaxValue"/>).</param>
    /// <param name="itemWritten">Called for each work item of a listing as soon as it is written (an in-process driver starts it at once); may be null.</param>
    /// <param name="cancellationToken">Stops the unit; what it wrote stays and the next unit continues from it.</param>
    public async Task<ObserveResult> ObserveAsync(RunRef run, long maxActions, Func<WorkItemTicket, CancellationToken, ValueTask>? itemWritten, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var row = await LoadRunAsync(run.PairId, run.RunId, cancellationToken).ConfigureAwait(false);
        if (row.Status != RunStatus.Running || row.ObserveDone)
        {
            return Observed(row, more: false, []);
        }

        if (!IsCoordinator(row, run.CoordinatorId))
        {
            return Observed(row, more: true, []) with { NotCoordinator = true };
        }

        var ctx = ContextFor(row);
        try
        {
            if (Source.GetCapability<IChangeSource>() is { } feed)
            {
                Func<RunRecord, RunRecord>? stagedLast = null;
                if (!row.StagingDone)
                {
                    // The last page is planned in the same call (its row change rides on planning's final CAS).
                    var page = await new ChangeObserver(ctx, feed).StagePageAsync(deferLast: true, cancellationToken).ConfigureAwait(false);
                    if (page.PendingRowChange is null)
                    {
                        return Observed(ctx.Run, more: true, []);
                    }

                    stagedLast = page.PendingRowChange;
                }

                var planned = await new ChangePlanner(ctx, feed).PlanAsync(stagedLast, cancellationToken).ConfigureAwait(false);
                return Observed(ctx.Run, more: false, planned.Written);
            }

            if (!ctx.Run.ChangedPathsTaken)
            {
                await ChangedPathObserver.TakeAsync(ctx, cancellationToken).ConfigureAwait(false);
            }

            var (done, writer) = await new ListingObserver(ctx, itemWritten).RunSegmentAsync(Math.Max(1, maxActions), cancellationToken).ConfigureAwait(false);
            return Observed(ctx.Run, more: !done, writer.Written);
        }
        catch (PlanContendedException)
        {
            // Another observer wrote this part; the next unit continues from what is there.
            var fresh = await LoadRunAsync(run.PairId, run.RunId, cancellationToken).ConfigureAwait(false);
            return Observed(fresh, more: !fresh.ObserveDone, []);
        }
    }

    private static ObserveResult Observed(RunRecord run, bool more, IReadOnlyList<WorkItemTicket> items) =>
        new(more, items, run.TotalActions, run.TotalBytes, run.StagedCount, WorkItems: run.WorkItemCount);
}
