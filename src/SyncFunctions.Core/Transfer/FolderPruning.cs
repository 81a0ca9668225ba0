using Microsoft.Extensions.Logging;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Transfer;

/// <summary>
/// Removes the destination folders a work item's deletes and moves left empty, when the destination has real
/// folders (<see cref="IEmptyFolderPruner"/>), without racing this process's own writes into them.
/// </summary>
/// <remarks>
/// <para>Why the guard: removing a drive folder is recursive, and its eTag does not change when a child is
/// added, so the store's condition cannot see a file that lands between its emptiness check and its DELETE.
/// Moves run concurrently with uploads and other moves (deletes run in their own phase), so an upload into a
/// folder another item just emptied is possible within one run. Writers therefore hold the folders above their
/// target while they run; a prune skips held folders (and everything above them) and holds its folders so that
/// writers into them wait until it is done. Writes by other processes or people are not covered.</para>
/// <para>A pruning failure is logged and never fails an action or the run: at worst an empty folder stays.
/// Thread-safe: one instance serves every worker of the process.</para>
/// </remarks>
internal sealed class FolderPruning(IObjectStore destination, ILogger log)
{
    private readonly object _gate = new();

    // Drive names are case-insensitive: "A/x" and "a" are the same folder there.
    private readonly Dictionary<string, int> _writers = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _pruning = new(StringComparer.OrdinalIgnoreCase);
    private TaskCompletionSource _pruneEnded = NewSignal();

    /// <summary>
    /// Holds the folders above <paramref name="path"/> while an upload or move writes there (waits while a prune
    /// holds any of them). Null when the destination has nothing to prune or the path is at the root.
    /// </summary>
    public async Task<IDisposable?> HoldForWriteAsync(string path, CancellationToken cancellationToken)
    {
        if (destination.GetCapability<IEmptyFolderPruner>() is null)
        {
            return null;
        }

        var folders = FoldersAbove(path);
        if (folders.Count == 0)
        {
            return null;
        }

        while (true)
        {
            Task ended;
            lock (_gate)
            {
                if (!folders.Any(_pruning.Contains))
                {
                    foreach (var folder in folders)
                    {
                        _writers[folder] = _writers.GetValueOrDefault(folder) + 1;
                    }

                    return new WriteHold(this, folders);
                }

                ended = _pruneEnded.Task;
            }

            await ended.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// After a work item's actions ran: prunes the parents of its done deletes (their path) and done moves (the
    /// path they left), and their ancestors up to the root or the first folder a writer holds.
    /// </summary>
    public async Task PruneAfterAsync(IReadOnlyList<ActionRecord> results, CancellationToken cancellationToken)
    {
        if (destination.GetCapability<IEmptyFolderPruner>() is not { } pruner)
        {
            return;
        }

        var emptied = EmptiedFolders(results);
        if (emptied.Count == 0)
        {
            return;
        }

        var folders = TakeFolders(emptied);
        if (folders.Count == 0)
        {
            return;
        }

        try
        {
            await pruner.PruneEmptyFoldersAsync(folders, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException ex)
        {
            Logs.PruneFailed(log, folders.Count, ex.Message);
        }
        finally
        {
            Release(folders);
        }
    }

    /// <summary>
    /// Distinct parent folders (not the root) of done deletes and of the paths done moves left; for a done folder move
    /// the folder it left itself (gone when the folder moved whole, emptied when its files moved one by one).
    /// </summary>
    internal static IReadOnlyList<string> EmptiedFolders(IEnumerable<ActionRecord> results)
    {
        var folders = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var r in results.Where(r => r.Status == ActionStatus.Done))
        {
            if (r.Kind == ActionKind.MoveFolder && r.FromPath is { Length: > 0 } folder)
            {
                folders.Add(folder);
                continue;
            }

            var left = r.Kind switch
            {
                ActionKind.Delete => r.Path,
                ActionKind.Move => r.FromPath,
                _ => null,
            };
            if (left is not null && RelativePath.Parent(left) is { Length: > 0 } parent)
            {
                folders.Add(parent);
            }
        }

        return [.. folders];
    }

    /// <summary>Each emptied folder and its ancestors, up to the first one held by a writer or another prune; marks them held.</summary>
    private List<string> TakeFolders(IReadOnlyList<string> emptied)
    {
        var taken = new List<string>();
        lock (_gate)
        {
            foreach (var start in emptied)
            {
                for (var folder = start; folder.Length > 0; folder = RelativePath.Parent(folder))
                {
                    if (_writers.ContainsKey(folder) || _pruning.Contains(folder))
                    {
                        break;
                    }

                    taken.Add(folder);
                    _pruning.Add(folder);
                }
            }
        }

        return taken;
    }

    private void Release(List<string> folders)
    {
        TaskCompletionSource ended;
        lock (_gate)
        {
            foreach (var folder in folders)
            {
                _pruning.Remove(folder);
            }

            ended = _pruneEnded;
            _pruneEnded = NewSignal();
        }

        ended.TrySetResult();
    }

    private void EndWrite(List<string> folders)
    {
        lock (_gate)
        {
            foreach (var folder in folders)
            {
                if (--_writers[folder] == 0)
                {
                    _writers.Remove(folder);
                }
            }
        }
    }

    private static List<string> FoldersAbove(string path)
    {
        var folders = new List<string>();
        for (var folder = RelativePath.Parent(path); folder.Length > 0; folder = RelativePath.Parent(folder))
        {
            folders.Add(folder);
        }

        return folders;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class WriteHold(FolderPruning owner, List<string> folders) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.EndWrite(folders);
            }
        }
    }
}
