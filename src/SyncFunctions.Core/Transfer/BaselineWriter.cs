using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.Transfer;

/// <summary>Applies the Done actions of an item to the pair's baseline (one batched write).</summary>
/// <remarks>
/// Folder moves are left out: the rows below a moved folder are not in the plan, so the move re-keys them while it
/// runs (<see cref="Transfers.MoveFolderAsync"/>).
/// </remarks>
internal static class BaselineWriter
{
    public static async Task ApplyAsync(StepContext ctx, IEnumerable<ActionRecord> results, CancellationToken cancellationToken)
    {
        var upserts = new List<BaselineEntry>();
        var deletes = new List<string>();
        foreach (var r in results.Where(r => r.Status == ActionStatus.Done && r.Kind != ActionKind.MoveFolder))
        {
            if (r.Kind == ActionKind.Delete)
            {
                deletes.Add(r.Path);
                continue;
            }

            if (r.Kind == ActionKind.Move && r.FromPath is { } from)
            {
                deletes.Add(from);
            }

            upserts.Add(new BaselineEntry
            {
                PairId = ctx.PairId,
                Path = r.Path,
                Size = r.SourceSize,
                LastModified = r.SourceLastModified,
                SourceVersion = r.SourceVersion,
                Sha256 = r.SourceSha256,
                SourceItemId = r.SourceItemId,
                SourceParentId = r.SourceParentId,
                DestETag = r.ResultDestETag,
            });
        }

        if (upserts.Count > 0 || deletes.Count > 0)
        {
            await ctx.Ledger.ApplyBaselineAsync(ctx.PairId, upserts, deletes, cancellationToken).ConfigureAwait(false);
        }
    }
}
