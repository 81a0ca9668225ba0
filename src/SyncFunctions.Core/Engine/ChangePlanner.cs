using SyncFunctions.Abstractions;
using SyncFunctions.Core.Planning;

namespace SyncFunctions.Core.Engine;

/// <summary>
/// Plans the staged items of a change-feed run. Old paths come from the item-id tree as the last run left it
/// (the tree is updated only when the run finalizes), new paths from the staged items over that tree. An
/// incremental run reads only the tree rows and baseline rows of what changed; a first run or a resync loads
/// the tree once.
/// </summary>
internal sealed partial class ChangePlanner(RunContext ctx, IChangeSource feed)
{
    private readonly Dictionary<string, ChangeItem> _staged = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TreeEntry?> _tree = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _oldPaths = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _newPaths = new(StringComparer.Ordinal);
    private readonly HashSet<string> _planned = new(StringComparer.Ordinal);
    private bool _treeLoaded;
    private string _rootId = "";
    private long _moves;

    public async Task PlanAsync(CancellationToken cancellationToken)
    {
        _rootId = await ctx.Retry.ExecuteAsync(async ct => await feed.GetRootItemIdAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (!ctx.NothingStaged)
        {
            await foreach (var item in ctx.Ledger.ListStagedChangesAsync(ctx.RunId, cancellationToken).ConfigureAwait(false))
            {
                _staged[item.ItemId] = item;
            }
        }

        var run = ctx.Run;
        // A pair that never finished a run has an empty tree: no tree reads at all.
        _treeLoaded = !run.Resync && ctx.FirstRun;

        var writer = new PlanWriter(ctx);
        foreach (var item in _staged.Values.OrderBy(i => i.ItemId, StringComparer.Ordinal))
        {
            if (item.IsRoot || item.ItemId == _rootId)
            {
                continue;
            }

            await PlanItemAsync(item, writer, cancellationToken).ConfigureAwait(false);
            if (writer.BatchFull)
            {
                await writer.FlushAsync(null, cancellationToken).ConfigureAwait(false);
            }
        }

        if (run.Resync)
        {
            await PlanResyncDeletesAsync(writer, cancellationToken).ConfigureAwait(false);
        }

        await PlanCarryOverAsync(writer, cancellationToken).ConfigureAwait(false);
        await writer.FlushAsync(null, cancellationToken).ConfigureAwait(false);
        Logs.ChangesPlanned(ctx.Log, writer.Actions, _moves);
        await writer.FinishAsync(await BaselineCountAsync(writer, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    private async Task PlanItemAsync(ChangeItem item, PlanWriter writer, CancellationToken cancellationToken)
    {
        var oldPath = await OldPathAsync(item.ItemId, cancellationToken).ConfigureAwait(false);
        var newPath = item.IsDeleted ? null : await NewPathAsync(item.ItemId, cancellationToken).ConfigureAwait(false);
        if (item.IsFolder)
        {
            await PlanFolderAsync(oldPath, newPath, writer, cancellationToken).ConfigureAwait(false);
            return;
        }

        var baseline = oldPath is null ? null : await BaselineAsync(oldPath, cancellationToken).ConfigureAwait(false);
        if (newPath is null)
        {
            if (baseline is not null && _planned.Add(baseline.Path))
            {
                await writer.AddAsync(DeleteOf(writer, baseline), cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (RelativePath.Validate(newPath) is { } problem)
        {
            writer.AddSkipped(newPath, problem);
            return;
        }

        _planned.Add(newPath);
        var contentSame = baseline is not null && SameContent(baseline, item);
        if (baseline is not null && oldPath != newPath)
        {
            _planned.Add(baseline.Path);
            if (contentSame)
            {
                _moves++;
                await writer.AddAsync(MoveOf(writer, baseline, newPath, item), cancellationToken).ConfigureAwait(false);
                return;
            }

            await writer.AddAsync(DeleteOf(writer, baseline), cancellationToken).ConfigureAwait(false);
            baseline = null;
        }

        if (contentSame && baseline is not null)
        {
            return;
        }

        await writer.AddAsync(UploadOf(writer, newPath, item, baseline), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A renamed or moved folder moves every synced file below it (files that changed themselves are planned on their own).</summary>
    private async Task PlanFolderAsync(string? oldPath, string? newPath, PlanWriter writer, CancellationToken cancellationToken)
    {
        if (oldPath is null || oldPath == newPath)
        {
            return;
        }

        await foreach (var row in ctx.Ledger.ListBaselineUnderAsync(ctx.PairId, oldPath, cancellationToken).ConfigureAwait(false))
        {
            if (row.SourceItemId is { } id && _staged.ContainsKey(id))
            {
                continue;
            }

            if (!_planned.Add(row.Path))
            {
                continue;
            }

            if (newPath is null)
            {
                await writer.AddAsync(DeleteOf(writer, row), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var target = newPath + row.Path[oldPath.Length..];
                _planned.Add(target);
                _moves++;
                await writer.AddAsync(MoveOf(writer, row, target, null), cancellationToken).ConfigureAwait(false);
            }
        }
    }

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

    private static ActionRecord DeleteOf(PlanWriter writer, BaselineEntry baseline) =>
        writer.NewAction(ActionKind.Delete, baseline.Path, null) with
        {
            SourceSize = baseline.Size,
            SourceItemId = baseline.SourceItemId,
            ExpectedDestETag = baseline.DestETag,
        };

    private static ActionRecord MoveOf(PlanWriter writer, BaselineEntry baseline, string target, ChangeItem? item) =>
        writer.NewAction(ActionKind.Move, target, null) with
        {
            FromPath = baseline.Path,
            SourceSize = baseline.Size,
            SourceLastModified = item?.LastModified ?? baseline.LastModified,
            SourceVersion = baseline.SourceVersion,
            SourceSha256 = baseline.Sha256,
            SourceItemId = baseline.SourceItemId,
            SourceParentId = item?.ParentId ?? baseline.SourceParentId,
            ExpectedDestETag = baseline.DestETag,
        };
}
