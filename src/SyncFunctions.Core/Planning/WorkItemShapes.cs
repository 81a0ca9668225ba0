using System.Globalization;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Transfer;

namespace SyncFunctions.Core.Planning;

/// <summary>
/// The work item rows of a set of actions: a pure function of the actions, the run's options and the stores'
/// capabilities, so a row derived again from actions another writer stored equals the one that writer meant.
/// </summary>
internal static class WorkItemShapes
{
    /// <summary>Small-file actions per work item (one table transaction).</summary>
    public const int BatchSize = 100;

    public static string ItemId(int number) => number.ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>Range items sort right after their parent: <c>00000042.r0003</c>.</summary>
    public static string RangeId(string parentItemId, int index) => parentItemId + ".r" + index.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>The key range that holds exactly the range items of <paramref name="parentItemId"/>.</summary>
    public static (string From, string To) RangeKeys(string parentItemId) => (parentItemId + ".r", parentItemId + ".s");

    /// <summary>The item row for <paramref name="actions"/> (already carrying their item and action ids).</summary>
    public static WorkItemRecord ItemFor(string runId, string itemId, IReadOnlyList<ActionRecord> actions, StepContext ctx)
    {
        var kind = actions.All(a => a.Kind == ActionKind.Delete) ? WorkItemKind.Deletes
            : actions.All(a => a.Kind == ActionKind.MoveFolder) ? WorkItemKind.FolderMoves
            : actions.Count == 1 && actions[0].Kind == ActionKind.Upload && actions[0].Status == ActionStatus.Pending && actions[0].SourceSize > ctx.Options.ChunkSize ? WorkItemKind.LargeFile
            : WorkItemKind.SmallBatch;
        return new WorkItemRecord
        {
            RunId = runId,
            ItemId = itemId,
            Kind = kind,
            ActionCount = actions.Count,
            TotalBytes = actions.Where(r => r.Kind == ActionKind.Upload && r.Status == ActionStatus.Pending).Sum(r => r.SourceSize),
            RangeCount = kind == WorkItemKind.LargeFile ? RangeCount(actions[0], ctx) : 0,
        };
    }

    /// <summary>The range items of a large-file item that fans out (none when <see cref="WorkItemRecord.RangeCount"/> is 0).</summary>
    public static IReadOnlyList<WorkItemRecord> RangesOf(WorkItemRecord parent, ActionRecord action, StepContext ctx)
    {
        if (parent.RangeCount == 0)
        {
            return [];
        }

        var layout = ChunkLayout.For(action, ctx);
        var per = ctx.Settings.ChunksPerRange;
        return Enumerable.Range(0, parent.RangeCount).Select(i =>
        {
            var (first, count) = layout.RangeChunks(i, per);
            return new WorkItemRecord
            {
                RunId = parent.RunId,
                ItemId = RangeId(parent.ItemId, i),
                Kind = WorkItemKind.ChunkRange,
                ParentItemId = parent.ItemId,
                RangeIndex = i,
                TotalBytes = layout.BytesOf(first, count),
            };
        }).ToList();
    }

    /// <summary>
    /// Ranges a large upload fans out into: only to a chunked writer (Blob), and only when the file's SHA-256 is
    /// known or a second read is free (a local source), because no single worker reads the whole file.
    /// </summary>
    public static int RangeCount(ActionRecord a, StepContext ctx)
    {
        if (a.VerifyHashFirst || ctx.Destination.GetCapability<IChunkedWriter>() is null
            || ctx.Destination.GetCapability<IUploadSessionWriter>() is not null
            || (a.SourceSha256 is null && ctx.Source.GetCapability<ILocalContent>() is null))
        {
            return 0;
        }

        var layout = ChunkLayout.For(a, ctx);
        var ranges = (layout.Count + ctx.Settings.ChunksPerRange - 1) / ctx.Settings.ChunksPerRange;
        return ranges >= 2 ? ranges : 0;
    }
}
