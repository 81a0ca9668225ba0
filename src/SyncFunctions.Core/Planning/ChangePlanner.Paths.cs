using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.Planning;

internal sealed partial class ChangePlanner
{
    /// <summary>Only a percentage --max-delete with deletes planned needs the baseline's size: count it then, and only then.</summary>
    private async Task<long> BaselineCountAsync(PlanWriter writer, CancellationToken cancellationToken)
    {
        if (writer.PlannedDeletes == 0 || ctx.Options.MaxDelete?.Percent is null)
        {
            return 0;
        }

        long count = 0;
        await foreach (var _ in ctx.Ledger.ListBaselineAsync(ctx.PairId, cancellationToken).ConfigureAwait(false))
        {
            count++;
        }

        return count;
    }

    private async Task<TreeEntry?> TreeAsync(string itemId, CancellationToken cancellationToken)
    {
        if (_tree.TryGetValue(itemId, out var cached) || _treeLoaded)
        {
            return cached;
        }

        var entry = await ctx.Ledger.GetTreeEntryAsync(ctx.PairId, itemId, cancellationToken).ConfigureAwait(false);
        _tree[itemId] = entry;
        return entry;
    }

    /// <summary>Where the item was when the last run ended (null: not known, or outside the synced folder).</summary>
    private async Task<string?> OldPathAsync(string itemId, CancellationToken cancellationToken)
    {
        if (itemId == _rootId)
        {
            return "";
        }

        if (_oldPaths.TryGetValue(itemId, out var known))
        {
            return known;
        }

        var node = await TreeAsync(itemId, cancellationToken).ConfigureAwait(false);
        string? path = null;
        if (node?.ParentId is { } parent)
        {
            var parentPath = await OldPathAsync(parent, cancellationToken).ConfigureAwait(false);
            path = parentPath is null ? null : Join(parentPath, node.Name);
        }

        _oldPaths[itemId] = path;
        return path;
    }

    /// <summary>Where the item is now: staged reports over the old tree (null: deleted or outside the synced folder).</summary>
    private async Task<string?> NewPathAsync(string itemId, CancellationToken cancellationToken)
    {
        if (itemId == _rootId)
        {
            return "";
        }

        if (_newPaths.TryGetValue(itemId, out var known))
        {
            return known;
        }

        _newPaths[itemId] = null; // guards against a cycle in inconsistent data
        string? parent;
        string? name;
        if (_staged.TryGetValue(itemId, out var staged))
        {
            (parent, name) = staged.IsDeleted ? (null, null) : (staged.ParentId, staged.Name);
        }
        else
        {
            var node = await TreeAsync(itemId, cancellationToken).ConfigureAwait(false);
            (parent, name) = (node?.ParentId, node?.Name);
        }

        string? path = null;
        if (parent is not null && name is not null)
        {
            var parentPath = await NewPathAsync(parent, cancellationToken).ConfigureAwait(false);
            path = parentPath is null ? null : Join(parentPath, name);
        }

        _newPaths[itemId] = path;
        return path;
    }

    /// <summary>A file's old path, not cached (a file is nobody's parent, and each is planned once).</summary>
    private async Task<string?> OldFilePathAsync(string itemId, CancellationToken cancellationToken)
    {
        var node = await TreeAsync(itemId, cancellationToken).ConfigureAwait(false);
        if (node?.ParentId is not { } parent)
        {
            return null;
        }

        var parentPath = await OldPathAsync(parent, cancellationToken).ConfigureAwait(false);
        return parentPath is null ? null : Join(parentPath, node.Name);
    }

    /// <summary>A staged file's new path, not cached (see <see cref="OldFilePathAsync"/>).</summary>
    private async Task<string?> NewFilePathAsync(ChangeItem item, CancellationToken cancellationToken)
    {
        if (item.ParentId is not { } parent || item.Name is not { } name)
        {
            return null;
        }

        var parentPath = await NewPathAsync(parent, cancellationToken).ConfigureAwait(false);
        return parentPath is null ? null : Join(parentPath, name);
    }

    private static string Join(string parent, string name) => parent.Length == 0 ? name : parent + "/" + name;

    private async Task<BaselineEntry?> BaselineAsync(string path, CancellationToken cancellationToken) =>
        await ctx.Ledger.GetBaselineAsync(ctx.PairId, path, cancellationToken).ConfigureAwait(false);

    /// <summary>After a resync, synced files the full enumeration no longer reports are deleted.</summary>
    private async Task PlanResyncDeletesAsync(PlanWriter writer, CancellationToken cancellationToken)
    {
        await foreach (var row in ctx.Ledger.ListBaselineAsync(ctx.PairId, cancellationToken).ConfigureAwait(false))
        {
            var present = row.SourceItemId is { } id && _presentIds.Contains(id);
            var at = ToDestination(row.Path);
            if (!present && MarkPlanned(at))
            {
                await writer.AddAsync(DeleteOf(writer, row, at), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The feed moves on past failed items, so every run re-plans the carry-over set from the source's current
    /// state: still there means upload, gone means delete. An entry below a folder this run moves is re-planned
    /// where the folder went.
    /// </summary>
    private async Task PlanCarryOverAsync(PlanWriter writer, CancellationToken cancellationToken)
    {
        var entries = _carryOver.Select(e => (Entry: e, At: ToDestination(e.Path))).Where(e => !_planned.Contains(e.At)).ToList();
        foreach (var (entry, at) in entries)
        {
            MarkPlanned(at);
            var baseline = await BaselineAsync(entry.Path, cancellationToken).ConfigureAwait(false);
            var info = await ctx.Source.GetInfoAsync(at, cancellationToken).ConfigureAwait(false);
            if (info is not null)
            {
                var upload = writer.NewAction(ActionKind.Upload, at, null) with
                {
                    SourceSize = info.Size,
                    SourceLastModified = info.LastModified,
                    SourceVersion = info.Version,
                    SourceSha256 = info.Sha256,
                    SourceItemId = info.ItemId,
                    SourceParentId = info.ParentId,
                    ExpectedDestETag = baseline?.DestETag,
                };
                await writer.AddAsync(upload, cancellationToken).ConfigureAwait(false);
            }
            else if (baseline is not null)
            {
                await writer.AddAsync(DeleteOf(writer, baseline, at), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The pair's carry-over set (small: the failures of earlier runs), read before planning so the planned paths it needs are tracked.</summary>
    private async Task LoadCarryOverAsync(CancellationToken cancellationToken)
    {
        await foreach (var entry in ctx.Ledger.ListCarryOverAsync(ctx.PairId, cancellationToken).ConfigureAwait(false))
        {
            _carryOver.Add(entry);
            _carryOverPaths.Add(entry.Path);
        }
    }

    /// <summary>The tree after this run: staged reports applied (called when the run finalizes).</summary>
    public static async Task ApplyTreeAsync(StepContext ctx, CancellationToken cancellationToken)
    {
        // A first run's planner wrote the tree already (TreeWritten): then only the staged items go.
        if (!ctx.Run.TreeWritten)
        {
            var tree = new TreeWriter(ctx);
            await foreach (var item in ctx.Ledger.ListStagedChangesAsync(ctx.RunId, cancellationToken).ConfigureAwait(false))
            {
                await tree.AddAsync(item, cancellationToken).ConfigureAwait(false);
            }

            await tree.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        await ctx.Ledger.DeleteStagedChangesAsync(ctx.RunId, cancellationToken).ConfigureAwait(false);
    }
}
