using SyncFunctions.Abstractions;
using SyncFunctions.Core.InProcess;
using SyncFunctions.Core.Planning;

namespace SyncFunctions.Core.Observe;

/// <summary>
/// Observe + plan for listing sources: marches the source listing against the baseline and the destination
/// listing and writes the plan as work items, streaming. After every flush the run stores the last planned
/// path, so an interrupted observation resumes after it.
/// </summary>
internal sealed class Observer(RunContext ctx)
{
    private long _baselineCount;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var continuation = ctx.Run.ObserveContinuation;
        var writer = new PlanWriter(ctx);
        const int ahead = 2000;
        var plan = Planner.PlanAsync(
            Prefetch.AheadAsync(ctx.Source.ListAsync(cancellationToken), ahead, cancellationToken),
            CountBaseline(Prefetch.AheadAsync(ctx.Ledger.ListBaselineAsync(ctx.PairId, cancellationToken), ahead, cancellationToken)),
            Prefetch.AheadAsync(ListDestinationAsync(ctx.Destination, cancellationToken), ahead, cancellationToken),
            cancellationToken);

        string? last = null;
        await foreach (var step in plan.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var path = step.Action?.Path ?? step.Skipped!.Path;
            if (continuation is not null && string.CompareOrdinal(path, continuation) <= 0)
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
            }
        }

        await writer.FlushAsync(last, cancellationToken).ConfigureAwait(false);
        await writer.FinishAsync(_baselineCount, cancellationToken).ConfigureAwait(false);
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
