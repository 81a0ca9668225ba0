using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Observe;

/// <summary>
/// The folders (and the root, and deletions) of a first enumeration, kept by the process that staged every one of its
/// pages, so planning need not read the staged items twice. A cache only: a run whose pages were staged by several
/// processes (or by a crashed one) has no complete entry here and planning reads the folders from the ledger.
/// </summary>
/// <remarks>Thread-safe. Holds only folders: a 100,000-file enumeration keeps its few thousand folders, not its files.</remarks>
internal sealed class StagedFolderCache
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _runs = new(StringComparer.Ordinal);

    /// <summary>Records a page this process staged and won the run row's CAS for; <paramref name="stagedBefore"/> is the run's count before it.</summary>
    public void Record(string runId, long stagedBefore, IReadOnlyList<ChangeItem> page)
    {
        ArgumentNullException.ThrowIfNull(page);
        lock (_gate)
        {
            if (!_runs.TryGetValue(runId, out var entry))
            {
                if (stagedBefore != 0)
                {
                    return; // this process did not see the first pages
                }

                _runs[runId] = entry = new Entry();
            }

            if (entry.Count != stagedBefore)
            {
                _runs.Remove(runId); // a page was staged elsewhere: incomplete
                return;
            }

            foreach (var item in page)
            {
                if (item.IsFolder || item.IsRoot || item.IsDeleted)
                {
                    entry.Folders[item.ItemId] = item;
                }
                else
                {
                    entry.Files = true;
                }
            }

            entry.Count += page.Count;
        }
    }

    /// <summary>The folders of <paramref name="runId"/> when this process staged all <paramref name="stagedCount"/> items; removes the entry.</summary>
    public bool TryTake(string runId, long stagedCount, out IReadOnlyDictionary<string, ChangeItem> folders, out bool files)
    {
        lock (_gate)
        {
            if (_runs.Remove(runId, out var entry) && entry.Count == stagedCount)
            {
                folders = entry.Folders;
                files = entry.Files;
                return true;
            }
        }

        folders = new Dictionary<string, ChangeItem>();
        files = false;
        return false;
    }

    private sealed class Entry
    {
        public Dictionary<string, ChangeItem> Folders { get; } = new(StringComparer.Ordinal);

        public bool Files { get; set; }

        public long Count { get; set; }
    }
}
