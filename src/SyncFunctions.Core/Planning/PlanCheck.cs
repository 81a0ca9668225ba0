using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.Planning;

/// <summary>The check of a run that applies a previewed plan: its complete plan against the preview's fingerprint.</summary>
internal static class PlanCheck
{
    /// <summary>Null when the run expects no plan or planned exactly the expected one; else what differs, for the run's error.</summary>
    public static async Task<string?> MismatchAsync(StepContext ctx, CancellationToken cancellationToken)
    {
        if (ctx.Options.ExpectedPlan is not { } expected)
        {
            return null;
        }

        var actions = new List<ActionRecord>();
        await foreach (var item in ctx.Ledger.ListWorkItemsAsync(ctx.RunId, cancellationToken).ConfigureAwait(false))
        {
            if (item.Kind != WorkItemKind.ChunkRange)
            {
                actions.AddRange(await ctx.Ledger.GetActionsAsync(ctx.RunId, item.ItemId, cancellationToken).ConfigureAwait(false));
            }
        }

        var actual = PlanFingerprint.Of(actions);
        if (actual == expected)
        {
            Logs.PlanMatched(ctx.Log, ctx.RunId, expected, actions.Count);
            return null;
        }

        Logs.PlanChanged(ctx.Log, ctx.RunId, expected, actual);
        return $"the pair changed since the plan was previewed: this run planned {actions.Count} actions ({actual}), not the previewed plan ({expected}); nothing was executed; preview again";
    }
}
