using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Planning;

namespace SyncFunctions.Core.Planning;

/// <summary>
/// Plans the staged items of a change-feed run. Old paths come from the item-id tree as the last run left it
/// (the tree is updated only when the run finalizes), new paths from the staged items over that tree. An
/// incremental run reads only the tree rows and baseline rows of what changed; a first run or a resync loads
/// the tree once.
/// </summary>
/// <remarks>
/// Memory is bounded by the folders, not the files: a first pass over the staged items keeps the folders (whose
/// paths other items need) and the deletions; a second pass streams the files and plans each as it arrives, so a
/// 100,000-file first run never holds its files. Deletions are planned last, after every upload and move, so a
/// path that something new was planned at is never deleted (the delete would run after the upload).
/// <para>At a destination that moves whole folders (<see cref="IServerSideFolderMove"/>) a renamed or moved folder is
/// one <see cref="ActionKind.MoveFolder"/> action, not a move per file below it (<see cref="PlanFolderMovesAsync"/>).
/// Those execute before anything else of the run (<see cref="WorkItemKind.FolderMoves"/>), so everything planned
/// after them addresses the destination as the folder moves leave it: <see cref="ToDestination"/>.</para>
/// </remarks>
internal sealed partial class ChangePlanner(StepContext ctx, IChangeSource feed)
{
    /// <summary>Staged folders (and packages, the root) and deletions; files are streamed, not kept.</summary>
    private readonly Dictionary<string, ChangeItem> _staged = new(StringComparer.Ordinal);

    /// <summary>The id of every staged item (a run with a baseline only: first runs have nothing to look up).</summary>
    private readonly HashSet<string> _stagedIds = new(StringComparer.Ordinal);

    /// <summary>Ids of staged items that still exist (resync only: the baseline rows it does not hold are deleted).</summary>
    private readonly HashSet<string> _presentIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TreeEntry?> _tree = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _oldPaths = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _newPaths = new(StringComparer.Ordinal);
    private readonly HashSet<string> _planned = new(StringComparer.Ordinal);
    private readonly HashSet<string> _carryOverPaths = new(StringComparer.Ordinal);
    private readonly List<CarryOverEntry> _carryOver = [];

    /// <summary>Staged folders whose path changed (old, new), collected when the destination moves whole folders.</summary>
    private readonly List<(string Old, string New)> _movedFolders = [];
    private bool _treeLoaded;
    private bool _trackAllPlanned;
    private bool _hasStagedFiles;
    private string _rootId = "";
    private long _moves;

    /// <summary>Plans every staged item into work items and ends observation; returns the writer (for the items it wrote).</summary>
    /// <remarks>
    /// Deterministic: nothing of the run executes before its plan is complete (the tree changes only when the run
    /// ends, the staged items once staging is done), so planning again after a crash writes the same items and keeps
    /// those already there.
    /// </remarks>
    /// <param name="stagedLast">The last page's run-row change when it was staged in this call and not recorded yet (folded into the final CAS).</param>
    /// <param name="cancellationToken">Stops planning; what it wrote stays.</param>
    public async Task<PlanWriter> PlanAsync(Func<RunRecord, RunRecord>? stagedLast, CancellationToken cancellationToken)
    {
        _rootId = await feed.GetRootItemIdAsync(cancellationToken).ConfigureAwait(false);
        var run = ctx.Run;

        // A pair that never finished a run has an empty tree and baseline: no tree reads, and no path can be planned
        // twice, so the planned paths are tracked only where the carry-over set needs them.
        _treeLoaded = !run.Resync && run.FirstRun;
        _trackAllPlanned = !run.FirstRun || run.Resync;
        await LoadCarryOverAsync(cancellationToken).ConfigureAwait(false);
        if (run.FirstRun && !run.Resync && ctx.Steps.Resources.StagedFolders.TryTake(ctx.RunId, run.StagedCount, out var seen, out var files))
        {
            // This process staged the whole first enumeration and kept its folders: no first pass.
            foreach (var (id, item) in seen)
            {
                _staged[id] = item;
            }

            _hasStagedFiles = files;
        }
        else if (run.StagedCount > 0)
        {
            await LoadFoldersAsync(run.Resync, cancellationToken).ConfigureAwait(false);
        }

        var writer = new PlanWriter(ctx, PlanWriter.ConflictMode.KeepAndContinue, null, 0, new PlanTotals(0, 0, 0, 0));
        await PlanStagedAsync(writer, cancellationToken).ConfigureAwait(false);
        if (run.Resync)
        {
            await PlanResyncDeletesAsync(writer, cancellationToken).ConfigureAwait(false);
        }

        await PlanCarryOverAsync(writer, cancellationToken).ConfigureAwait(false);
        await writer.FlushAsync(null, cancellationToken).ConfigureAwait(false);
        Logs.ChangesPlanned(ctx.Log, writer.Actions, _moves);
        var carryOverEmpty = _carryOver.Count == 0;
        await writer.FinishAsync(
            await BaselineCountAsync(writer, cancellationToken).ConfigureAwait(false),
            r => (stagedLast is null ? r : stagedLast(r)) with { CarryOverWasEmpty = carryOverEmpty },
            cancellationToken).ConfigureAwait(false);
        return writer;
    }

    /// <summary>The staged items: folders, then the files streamed from the ledger, then the deletions.</summary>
    private async Task PlanStagedAsync(PlanWriter writer, CancellationToken cancellationToken)
    {
        // A first run starts from an empty tree: it writes the tree as it plans, instead of reading every staged
        // item once more when the run ends.
        var tree = _treeLoaded && !ctx.Options.DryRun ? new TreeWriter(ctx) : null;
        foreach (var folder in _staged.Values.Where(i => !i.IsDeleted).OrderBy(i => i.ItemId, StringComparer.Ordinal).ToList())
        {
            await PlanOneAsync(folder, writer, cancellationToken).ConfigureAwait(false);
            await (tree?.AddAsync(folder, cancellationToken) ?? Task.CompletedTask).ConfigureAwait(false);
        }

        await PlanFolderMovesAsync(writer, cancellationToken).ConfigureAwait(false);

        if (_hasStagedFiles)
        {
            await foreach (var item in ctx.Ledger.ListStagedChangesAsync(ctx.RunId, cancellationToken).ConfigureAwait(false))
            {
                if (!item.IsFolder && !item.IsRoot && !item.IsDeleted)
                {
                    await PlanOneAsync(item, writer, cancellationToken).ConfigureAwait(false);
                    await (tree?.AddAsync(item, cancellationToken) ?? Task.CompletedTask).ConfigureAwait(false);
                }
            }
        }

        if (tree is not null)
        {
            await tree.FinishAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var deleted in _staged.Values.Where(i => i.IsDeleted).OrderBy(i => i.ItemId, StringComparer.Ordinal).ToList())
        {
            await PlanOneAsync(deleted, writer, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>First pass: the folders and deletions (kept), the ids a run with a baseline looks up.</summary>
    private async Task LoadFoldersAsync(bool resync, CancellationToken cancellationToken)
    {
        await foreach (var item in ctx.Ledger.ListStagedChangesAsync(ctx.RunId, cancellationToken).ConfigureAwait(false))
        {
            if (!ctx.Run.FirstRun || resync)
            {
                _stagedIds.Add(item.ItemId);
            }

            if (resync && !item.IsDeleted)
            {
                _presentIds.Add(item.ItemId);
            }

            if (item.IsFolder || item.IsRoot || item.IsDeleted)
            {
                _staged[item.ItemId] = item;
            }
            else
            {
                _hasStagedFiles = true;
            }
        }
    }

    private async Task PlanOneAsync(ChangeItem item, PlanWriter writer, CancellationToken cancellationToken)
    {
        if (item.IsRoot || item.ItemId == _rootId)
        {
            return;
        }

        await PlanItemAsync(item, writer, cancellationToken).ConfigureAwait(false);
        if (writer.BatchFull)
        {
            await writer.FlushAsync(null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Records that <paramref name="path"/> has an action in this run (see the class remarks for when it is tracked).</summary>
    private bool MarkPlanned(string path) => (_trackAllPlanned || _carryOverPaths.Contains(path)) ? _planned.Add(path) : true;

    private async Task PlanItemAsync(ChangeItem item, PlanWriter writer, CancellationToken cancellationToken)
    {
        // A delete record may lack the folder facet: the tree knows what the item was.
        if (item.IsFolder || (item.IsDeleted && (await TreeAsync(item.ItemId, cancellationToken).ConfigureAwait(false))?.IsFolder == true))
        {
            var oldFolder = await OldPathAsync(item.ItemId, cancellationToken).ConfigureAwait(false);
            var newFolder = item.IsDeleted ? null : await NewPathAsync(item.ItemId, cancellationToken).ConfigureAwait(false);
            if (oldFolder is not null && newFolder is not null && oldFolder != newFolder && MovesFolders)
            {
                _movedFolders.Add((oldFolder, newFolder)); // planned once every folder is known
                return;
            }

            await PlanFolderAsync(oldFolder, newFolder, writer, cancellationToken).ConfigureAwait(false);
            return;
        }

        var oldPath = await OldFilePathAsync(item.ItemId, cancellationToken).ConfigureAwait(false);
        var newPath = item.IsDeleted ? null : await NewFilePathAsync(item, cancellationToken).ConfigureAwait(false);
        if (oldPath is null && newPath is null)
        {
            return;
        }

        // The baseline row is still at the old path (folder moves re-key rows when they run); the destination holds
        // the file where the folder moves put it.
        var baseline = oldPath is null ? null : await BaselineAsync(oldPath, cancellationToken).ConfigureAwait(false);
        var at = baseline is null ? null : ToDestination(baseline.Path);
        if (newPath is null)
        {
            if (baseline is not null && MarkPlanned(at!))
            {
                await writer.AddAsync(DeleteOf(writer, baseline, at!), cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (RelativePath.Validate(newPath) is { } problem)
        {
            writer.AddSkipped(newPath, problem);
            return;
        }

        MarkPlanned(newPath);
        var contentSame = baseline is not null && SameContent(baseline, item);
        if (baseline is not null && at != newPath)
        {
            MarkPlanned(at!);
            if (contentSame)
            {
                _moves++;
                await writer.AddAsync(MoveOf(writer, baseline, at!, newPath, item), cancellationToken).ConfigureAwait(false);
                return;
            }

            await writer.AddAsync(DeleteOf(writer, baseline, at!), cancellationToken).ConfigureAwait(false);
            baseline = null;
        }

        if (contentSame && baseline is not null)
        {
            return;
        }

        // A new item at a path another item had (replaced, or renamed onto it): the write replaces what was synced
        // there, so it is conditioned on that version instead of on an empty path. A first run has no baseline.
        if (baseline is null && !ctx.Run.FirstRun)
        {
            baseline = await BaselineAsync(ToOriginal(newPath), cancellationToken).ConfigureAwait(false);
        }

        await writer.AddAsync(UploadOf(writer, newPath, item, baseline), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A deleted folder deletes every synced file below it; a renamed or moved folder at a destination that cannot
    /// move folders moves every synced file below it. Files that changed themselves are planned on their own.
    /// </summary>
    private async Task PlanFolderAsync(string? oldPath, string? newPath, PlanWriter writer, CancellationToken cancellationToken)
    {
        if (oldPath is null || oldPath == newPath)
        {
            return;
        }

        await foreach (var row in ctx.Ledger.ListBaselineUnderAsync(ctx.PairId, oldPath, cancellationToken).ConfigureAwait(false))
        {
            if (row.SourceItemId is { } id && _stagedIds.Contains(id))
            {
                continue;
            }

            var at = ToDestination(row.Path);
            if (!MarkPlanned(at))
            {
                continue;
            }

            if (newPath is null)
            {
                await writer.AddAsync(DeleteOf(writer, row, at), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var target = newPath + row.Path[oldPath.Length..];
                MarkPlanned(target);
                _moves++;
                await writer.AddAsync(MoveOf(writer, row, at, target, null), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
