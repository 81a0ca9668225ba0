using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Planning;

/// <summary>The action rows the change planner writes.</summary>
internal sealed partial class ChangePlanner
{
    private static bool SameContent(BaselineEntry baseline, ChangeItem item) =>
        baseline.Size == item.Size && (
            (item.CTag is not null && baseline.SourceVersion == item.CTag)
            || (item.Sha256 is not null && string.Equals(baseline.Sha256, item.Sha256, StringComparison.OrdinalIgnoreCase)));

    private static ActionRecord UploadOf(PlanWriter writer, string path, ChangeItem item, BaselineEntry? baseline) =>
        writer.NewAction(ActionKind.Upload, path, null) with
        {
            SourceSize = item.Size,
            SourceLastModified = item.LastModified,
            SourceVersion = item.CTag ?? item.ETag,
            SourceSha256 = item.Sha256?.ToLowerInvariant(),
            SourceQuickXorHash = item.QuickXorHash,
            SourceItemId = item.ItemId,
            SourceParentId = item.ParentId,
            ExpectedDestETag = baseline?.DestETag,
        };

    /// <param name="writer">The plan's writer.</param>
    /// <param name="baseline">What was synced (its row is re-keyed to <paramref name="at"/> by the folder moves that run first).</param>
    /// <param name="at">Where the file is at the destination when the delete runs.</param>
    private static ActionRecord DeleteOf(PlanWriter writer, BaselineEntry baseline, string at) =>
        writer.NewAction(ActionKind.Delete, at, null) with
        {
            SourceSize = baseline.Size,
            SourceItemId = baseline.SourceItemId,
            ExpectedDestETag = baseline.DestETag,
        };

    /// <param name="writer">The plan's writer.</param>
    /// <param name="baseline">What was synced.</param>
    /// <param name="from">Where the file is at the destination when the move runs (after the folder moves).</param>
    /// <param name="target">Where it goes.</param>
    /// <param name="item">The staged item, when the file itself was reported.</param>
    private static ActionRecord MoveOf(PlanWriter writer, BaselineEntry baseline, string from, string target, ChangeItem? item) =>
        writer.NewAction(ActionKind.Move, target, null) with
        {
            FromPath = from,
            SourceSize = baseline.Size,
            SourceLastModified = item?.LastModified ?? baseline.LastModified,
            SourceVersion = baseline.SourceVersion,
            SourceSha256 = baseline.Sha256,
            SourceItemId = baseline.SourceItemId,
            SourceParentId = item?.ParentId ?? baseline.SourceParentId,
            ExpectedDestETag = baseline.DestETag,
        };
}
