using System.Globalization;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.InProcess;
using SyncFunctions.Core.Planning;

namespace SyncFunctions.Core.Observe;

/// <summary>
/// Observe + plan for change-feed sources (Graph delta). First every page is staged by item id in the ledger
/// (the run keeps the next link, so an interrupted enumeration continues from its last page); once the delta
/// link has arrived the staged items are planned against the item-id tree and the baseline: paths come from
/// the tree, renames and moves become server-side moves, deletions find their path by id.
/// </summary>
internal sealed class ChangeObserver(RunContext ctx, IChangeSource feed)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!ctx.Run.StagingDone)
        {
            await StageAsync(cancellationToken).ConfigureAwait(false);
        }

        var planner = new ChangePlanner(ctx, feed);
        await planner.PlanAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task StageAsync(CancellationToken cancellationToken)
    {
        var link = ctx.Run.ObserveContinuation;

        // The run starts at the pair's cursor (none on a first run). From anywhere else, earlier pages were staged
        // by a process that stopped: this one has not seen them all.
        var fromStart = link == ctx.Pair?.Cursor;
        ctx.StagedFromFirstPage = fromStart;
        ctx.StagedFolders = fromStart && ctx.FirstRun ? new Dictionary<string, ChangeItem>(StringComparer.Ordinal) : null;
        while (true)
        {
            ChangePage page;
            try
            {
                var current = link;
                page = await ctx.Retry.ExecuteAsync(async ct => await feed.ReadChangesAsync(current, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
            catch (StorageException ex) when (ex.Kind == StorageErrorKind.ResyncRequired && link is not null)
            {
                // The cursor expired: enumerate everything and apply only the differences.
                Logs.ResyncRequired(ctx.Log, ex.Message);
                await ctx.UpdateRunAsync(r => r with { Resync = true, ObserveContinuation = null }, cancellationToken).ConfigureAwait(false);
                link = null;
                ctx.StagedFolders = null; // items of the refused cursor's pages are staged too: read them all back
                continue;
            }

            if (page.Items.Count > 0)
            {
                await ctx.Retry.ExecuteAsync(async ct => await ctx.Ledger.StageChangesAsync(ctx.RunId, page.Items, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                ctx.StagedByThisProcess += page.Items.Count;
                Remember(page.Items);
            }

            ctx.ReportProgress("enumerate", message: string.Create(CultureInfo.InvariantCulture, $"{ctx.StagedByThisProcess:N0} changes read from the change feed"));

            if (page.NextLink is { } next)
            {
                await ctx.UpdateRunAsync(r => r with { ObserveContinuation = next }, cancellationToken).ConfigureAwait(false);
                link = next;
                continue;
            }

            var delta = page.DeltaLink ?? throw new StorageException(StorageErrorKind.Permanent, "the change feed ended without a delta link");
            await ctx.UpdateRunAsync(r => r with { StagingDone = true, PendingCursor = delta, ObserveContinuation = null }, cancellationToken).ConfigureAwait(false);
            return;
        }
    }

    /// <summary>Keeps the folders and deletions of a first run's pages (see <see cref="RunContext.StagedFolders"/>).</summary>
    private void Remember(IReadOnlyList<ChangeItem> items)
    {
        if (ctx.StagedFolders is not { } folders)
        {
            return;
        }

        foreach (var item in items)
        {
            if (item.IsFolder || item.IsRoot || item.IsDeleted)
            {
                folders[item.ItemId] = item;
            }
            else
            {
                // A later record of the item wins, as in the staging table.
                folders.Remove(item.ItemId);
                ctx.StagedFiles = true;
            }
        }
    }
}
