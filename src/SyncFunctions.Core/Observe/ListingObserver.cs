using SyncFunctions.Abstractions;
using SyncFunctions.Core.Planning;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.Observe;

/// <summary>
/// Observe + plan for listing sources, one segment per call: marches the source listing against the baseline and
/// the destination listing from the run's continuation (the last planned path) and writes up to a bound of actions
/// as work items, streaming. After every flush the run stores how far it got. A run of staged changed paths
/// (<see cref="RunRecord.PlansChangedPaths"/>) plans those paths the same way, from lookups instead of listings
/// (<see cref="ChangedPathPlanner"/>).
/// </summary>
/// <remarks>
/// A segment that starts after another stopped between writing items and saving the continuation adopts those
/// items: their paths are not planned again, and numbering goes on after them, so nothing is planned twice or lost.
/// </remarks>
internal sealed class ListingObserver(StepContext ctx, Func<WorkItemTicket, CancellationToken, ValueTask>? itemWritten)
{
    private const int ReadAhead = 2000;
    private long _baselineCount;
    private long _listedCount;

    /// <summary>Plans one segment of at most about <paramref name="maxActions"/> actions; true when the listing is done.</summary>
    public async Task<(bool Done, PlanWriter Writer)> RunSegmentAsync(long maxActions, CancellationToken cancellationToken)
    {
        var run = ctx.Run;
        var (firstItem, adopted, totals) = await AdoptAsync(run, cancellationToken).ConfigureAwait(false);
        var writer = new PlanWriter(ctx, PlanWriter.ConflictMode.Stop, itemWritten, firstItem, totals);
        var startActions = writer.Actions;
        var continuation = run.ObserveContinuation;
        var plan = run.PlansChangedPaths
            ? ChangedPathPlanner.PlanAsync(ctx, continuation, cancellationToken)
            : Planner.PlanAsync(
                CountListed(Prefetch.AheadAsync(ctx.Source.ListAsync(cancellationToken), ReadAhead, cancellationToken)),
                CountBaseline(Prefetch.AheadAsync(ctx.Ledger.ListBaselineAsync(ctx.PairId, cancellationToken), ReadAhead, cancellationToken)),
                Prefetch.AheadAsync(ListDestinationAsync(ctx.Destination, cancellationToken), ReadAhead, cancellationToken),
                cancellationToken);

        string? last = null;
        await foreach (var step in plan.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var path = step.Path;
            if ((continuation is not null && string.CompareOrdinal(path, continuation) <= 0) || adopted.Remove(path))
            {
                continue;
            }

            last = path;
            if (step.Skipped is { } skipped)
            {
                writer.AddSkipped(path, skipped.Reason);
            }
            else
            {
                await writer.AddAsync(step.Action!, cancellationToken).ConfigureAwait(false);
            }

            if (writer.BatchFull)
            {
                await writer.FlushAsync(last, cancellationToken).ConfigureAwait(false);
                if (writer.Actions - startActions >= maxActions)
                {
                    return (false, writer);
                }
            }
        }

        await writer.FlushAsync(last, cancellationToken).ConfigureAwait(false);
        var listed = run.PlansChangedPaths ? run.BaselineCount : _listedCount;
        await writer.FinishAsync(run.PlansChangedPaths ? run.BaselineCount : _baselineCount, r => r with { ListedCount = listed }, cancellationToken).ConfigureAwait(false);
        return (true, writer);
    }

    /// <summary>Items written after the run's saved item count (a unit that stopped before saving): their paths and totals.</summary>
    private async Task<(int FirstItem, HashSet<string> Paths, PlanTotals Totals)> AdoptAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var (actions, bytes, deletes) = (run.TotalActions, run.TotalBytes, run.PlannedDeletes);
        var next = run.WorkItemCount;
        while (await ctx.Ledger.GetWorkItemAsync(ctx.RunId, WorkItemShapes.ItemId(next), cancellationToken).ConfigureAwait(false) is { } item)
        {
            foreach (var a in await ctx.Ledger.GetActionsAsync(ctx.RunId, item.ItemId, cancellationToken).ConfigureAwait(false))
            {
                paths.Add(a.Path);
                actions++;
                bytes += a.Kind == ActionKind.Upload ? a.SourceSize : 0;
                deletes += a.Kind == ActionKind.Delete ? 1 : 0;
            }

            next++;
        }

        return (next, paths, new PlanTotals(actions, bytes, deletes, 0));
    }

    private async IAsyncEnumerable<ListingEntry> CountListed(IAsyncEnumerable<ListingEntry> entries)
    {
        await foreach (var entry in entries.ConfigureAwait(false))
        {
            _listedCount += entry.Object is null ? 0 : 1;
            yield return entry;
        }
    }

    private async IAsyncEnumerable<BaselineEntry> CountBaseline(IAsyncEnumerable<BaselineEntry> rows)
    {
        await foreach (var row in rows.ConfigureAwait(false))
        {
            _baselineCount++;
            yield return row;
        }
    }

    /// <summary>The destination listing; a destination container or folder that does not exist yet is empty.</summary>
    internal static async IAsyncEnumerable<ListingEntry> ListDestinationAsync(IObjectStore destination, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var e = destination.ListAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await e.MoveNextAsync().ConfigureAwait(false);
                }
                catch (StorageException ex) when (ex.Kind == StorageErrorKind.NotFound)
                {
                    yield break;
                }

                if (!more)
                {
                    yield break;
                }

                yield return e.Current;
            }
        }
        finally
        {
            await e.DisposeAsync().ConfigureAwait(false);
        }
    }
}
