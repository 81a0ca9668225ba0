using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.Observe;

/// <summary>
/// The first unit of a listing run's observation takes the pair's staged changed paths (blob events) and decides how
/// the run observes: only those paths (plus the carry-over set), or the whole listing.
/// </summary>
/// <remarks>
/// Only those paths when the run took some, was started by a change notification rather than a reconciliation
/// (<see cref="ListsEverything"/>), and the pair has an established baseline: its last completed run is in the ledger
/// (a partial baseline of a first run that never ended would hide the files it never synced). The decision is stored
/// on the run row before anything is planned, so every later unit and every other coordinator plans the same way;
/// the take itself is repeatable until then.
/// </remarks>
internal static class ChangedPathObserver
{
    /// <summary>Triggers that ask for a full reconciliation: they list everything even when paths are staged.</summary>
    private static readonly HashSet<string> FullTriggers = new(StringComparer.OrdinalIgnoreCase) { "cli", "http", "schedule" };

    /// <summary>True when a run started by <paramref name="trigger"/> lists the whole source whatever is staged.</summary>
    public static bool ListsEverything(string trigger) => FullTriggers.Contains(trigger);

    /// <summary>Takes the staged paths (when nothing is planned yet) and stores the decision on the run row.</summary>
    public static async Task TakeAsync(StepContext ctx, CancellationToken cancellationToken)
    {
        var run = ctx.Run;
        var nothingPlanned = run.WorkItemCount == 0 && run.ObserveContinuation is null && run.TotalActions == 0;
        long taken = 0;
        RunRecord? established = null;
        if (nothingPlanned)
        {
            taken = await ctx.Ledger.TakeChangedPathsAsync(ctx.PairId, ctx.RunId, cancellationToken).ConfigureAwait(false);
            if (taken > 0 && !ListsEverything(run.Trigger))
            {
                established = await LastCompletedRunAsync(ctx, cancellationToken).ConfigureAwait(false);
            }
        }

        var onlyThose = established is not null;
        await ctx.UpdateRunAsync(
            r => r.ChangedPathsTaken ? null : r with
            {
                ChangedPathsTaken = true,
                ChangedPathCount = taken,
                PlansChangedPaths = onlyThose,

                // The delete guard's base: what the last full listing held (this run does not read the whole baseline).
                BaselineCount = onlyThose ? established!.ListedCount : r.BaselineCount,
            },
            cancellationToken).ConfigureAwait(false);
        if (taken > 0)
        {
            Logs.ChangedPathsTaken(ctx.Log, ctx.RunId, taken, onlyThose ? "only those paths" : "the whole listing");
        }
    }

    private static async Task<RunRecord?> LastCompletedRunAsync(StepContext ctx, CancellationToken cancellationToken)
    {
        var pair = await ctx.Ledger.GetPairAsync(ctx.PairId, cancellationToken).ConfigureAwait(false);
        if (pair?.LastCompletedRunId is not { } last)
        {
            return null;
        }

        var run = await ctx.Ledger.GetRunAsync(ctx.PairId, last, cancellationToken).ConfigureAwait(false);
        return run is { Status: RunStatus.Succeeded or RunStatus.CompletedWithFailures } ? run : null;
    }
}
