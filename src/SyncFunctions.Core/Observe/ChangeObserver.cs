using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.Observe;

/// <summary>
/// Observation of change-feed sources (Graph delta), one page per call: the page's items are staged by item id in
/// the ledger and the run keeps the next link, so an interrupted enumeration continues from its last page. Once the
/// delta link has arrived the staged items are planned (<see cref="Planning.ChangePlanner"/>).
/// </summary>
/// <remarks>
/// Duplicate and concurrent calls are harmless: staging is an upsert by id, and only the call whose CAS moves the run
/// row from the link it read records the next link (a loser's rows are a superset the next run re-reads anyway).
/// </remarks>
internal sealed class ChangeObserver(StepContext ctx, IChangeSource feed)
{
    /// <summary>
    /// Stages one page. The last page (the delta link) is recorded on the run row at once, unless
    /// <paramref name="deferLast"/>: then the result carries the change for the caller to fold into the CAS that ends
    /// planning in the same call (one row write less; a crash before it re-reads the last page, which is idempotent).
    /// </summary>
    public async Task<StagedPage> StagePageAsync(bool deferLast, CancellationToken cancellationToken)
    {
        var link = ctx.Run.ObserveContinuation;
        ChangePage page;
        try
        {
            page = await feed.ReadChangesAsync(link, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.ResyncRequired && link is not null)
        {
            // The cursor expired: enumerate everything and apply only the differences.
            Logs.ResyncRequired(ctx.Log, ex.Message);
            await ctx.UpdateRunAsync(r => r.ObserveContinuation != link || r.StagingDone ? null : r with { Resync = true, ObserveContinuation = null }, cancellationToken).ConfigureAwait(false);
            return new StagedPage(0, null);
        }

        if (page.Items.Count > 0)
        {
            await ctx.Ledger.StageChangesAsync(ctx.RunId, page.Items, cancellationToken).ConfigureAwait(false);
        }

        var files = page.Items.Any(i => !i.IsFolder && !i.IsRoot && !i.IsDeleted);
        var count = page.Items.Count;
        var before = ctx.Run.StagedCount;
        Func<RunRecord, RunRecord> advance;
        if (page.NextLink is { } next)
        {
            advance = r => r with { ObserveContinuation = next, StagedCount = r.StagedCount + count, StagedFiles = r.StagedFiles || files };
        }
        else
        {
            var delta = page.DeltaLink ?? throw new StorageException(StorageErrorKind.Permanent, "the change feed ended without a delta link");
            advance = r => r with { StagingDone = true, PendingCursor = delta, ObserveContinuation = null, StagedCount = r.StagedCount + count, StagedFiles = r.StagedFiles || files };
            if (deferLast)
            {
                // Applied to the row the planner's final CAS reads; a row another observer moved meanwhile loses.
                RunRecord Fold(RunRecord r) =>
                    r.StagingDone ? r : r.ObserveContinuation != link ? throw new Planning.PlanContendedException(ctx.RunId) : advance(r);
                ctx.SetRun(advance(ctx.Run));
                Remember(true, before, page);
                return new StagedPage(count, Fold);
            }
        }

        var won = false;
        await ctx.UpdateRunAsync(
            r =>
            {
                won = r.ObserveContinuation == link && !r.StagingDone;
                return won ? advance(r) : null;
            },
            cancellationToken).ConfigureAwait(false);
        Remember(won && ctx.Run.StagedCount == before + count, before, page);
        return new StagedPage(count, null);
    }

    private void Remember(bool won, long before, ChangePage page)
    {
        if (won)
        {
            ctx.Steps.Resources.StagedFolders.Record(ctx.RunId, before, page.Items);
        }
    }
}

/// <summary>A staged page: its item count, and (deferred last page) the run-row change the planner's CAS must apply.</summary>
internal sealed record StagedPage(int Count, Func<RunRecord, RunRecord>? PendingRowChange);
