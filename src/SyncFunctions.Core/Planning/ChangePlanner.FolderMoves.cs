using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Planning;

/// <summary>
/// Folder moves: one action per renamed or moved folder at a destination that moves whole folders, and the path
/// mapping everything else of the plan goes through.
/// </summary>
internal sealed partial class ChangePlanner
{
    /// <summary>The folder moves planned so far (from, to: destination paths), in the order they execute.</summary>
    private readonly List<(string From, string To)> _folderMoves = [];

    /// <summary>True when the destination moves a folder with its subtree in one operation.</summary>
    private bool MovesFolders => ctx.Destination.GetCapability<IServerSideFolderMove>() is not null;

    /// <summary>
    /// Plans one <see cref="ActionKind.MoveFolder"/> per staged folder whose path changed and below which something
    /// was synced, parents first, so that a child's move starts where its parent's move put it (a child that moved
    /// only with its parent needs no action of its own). The folder moves execute in this order, before anything
    /// else of the run.
    /// </summary>
    /// <remarks>
    /// The files below are not read here (a 10,000-file folder costs one baseline query): the executor re-keys their
    /// baseline rows. A new folder name the engine cannot hold falls back to moving the files one by one, which
    /// skips each with the reason.
    /// </remarks>
    private async Task PlanFolderMovesAsync(PlanWriter writer, CancellationToken cancellationToken)
    {
        var ordered = _movedFolders
            .OrderBy(m => m.Old.Count(c => c == '/'))
            .ThenBy(m => m.Old, StringComparer.Ordinal)
            .ToList();
        foreach (var (oldFolder, newFolder) in ordered)
        {
            var from = ToDestination(oldFolder);
            if (from == newFolder || !await AnySyncedBelowAsync(oldFolder, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            if (RelativePath.Validate(newFolder) is not null)
            {
                await PlanFolderAsync(oldFolder, newFolder, writer, cancellationToken).ConfigureAwait(false);
                continue;
            }

            _folderMoves.Add((from, newFolder));
            _moves++;
            var move = writer.NewAction(ActionKind.MoveFolder, newFolder, null) with
            {
                FromPath = from,
                Reason = "folder renamed or moved from " + from,
            };
            await writer.AddAsync(move, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Where an object synced at <paramref name="path"/> is at the destination once the folder moves ran.</summary>
    private string ToDestination(string path)
    {
        foreach (var (from, to) in _folderMoves)
        {
            path = Rebase(path, from, to);
        }

        return path;
    }

    /// <summary>The synced path whose object the folder moves put at <paramref name="path"/> (the inverse of <see cref="ToDestination"/>).</summary>
    private string ToOriginal(string path)
    {
        for (var i = _folderMoves.Count - 1; i >= 0; i--)
        {
            path = Rebase(path, _folderMoves[i].To, _folderMoves[i].From);
        }

        return path;
    }

    /// <summary><paramref name="path"/> with the folder prefix <paramref name="from"/> replaced by <paramref name="to"/> (unchanged when not below it).</summary>
    internal static string Rebase(string path, string from, string to) =>
        path.Length > from.Length && path[from.Length] == '/' && path.StartsWith(from, StringComparison.Ordinal)
            ? to + path[from.Length..]
            : path == from ? to : path;

    /// <summary>True when the baseline holds a row below <paramref name="folder"/> (one query, first row only).</summary>
    private async Task<bool> AnySyncedBelowAsync(string folder, CancellationToken cancellationToken)
    {
        await foreach (var _ in ctx.Ledger.ListBaselineUnderAsync(ctx.PairId, folder, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        return false;
    }
}
