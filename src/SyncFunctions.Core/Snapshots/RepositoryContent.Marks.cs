using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots;

/// <summary>The writer's side of garbage collection: the current GC marks, and rewriting marked objects it needs.</summary>
public sealed partial class RepositoryContent
{
    // Path -> the marks naming it, as read by the last refresh.
    private readonly Dictionary<string, List<string>> _markedBy = new(StringComparer.Ordinal);

    // Path -> the marks that named it when this process rewrote it (those no longer count for it; newer ones do).
    private readonly Dictionary<string, HashSet<string>> _rescued = new(StringComparer.Ordinal);

    /// <summary>True when a current GC mark (one this process has not answered by rewriting the object) names the path.</summary>
    public bool IsMarked(string path)
    {
        lock (_gate)
        {
            return MarksOfLocked(path) is not null;
        }
    }

    /// <summary>
    /// Writes a content-addressed object (pack, index, tree) unless it is there already; when it is there and a current
    /// GC mark names it, writes it again (the same bytes), so its age restarts and the collector's conditional delete
    /// fails: a writer never relies on an object the collector may delete. False when it was there and unmarked.
    /// </summary>
    internal async Task<bool> WriteObjectAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (await RepositoryStore.WriteIfAbsentAsync(Store, path, bytes, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        List<string>? marks;
        lock (_gate)
        {
            marks = MarksOfLocked(path);
        }

        if (marks is null)
        {
            return false;
        }

        using (var content = RepositoryStore.ReadOnlyStream(bytes))
        {
            await Store.WriteAsync(path, content, WriteOptions.Unconditional, cancellationToken).ConfigureAwait(false);
        }

        lock (_gate)
        {
            if (!_rescued.TryGetValue(path, out var answered))
            {
                _rescued[path] = answered = new HashSet<string>(StringComparer.Ordinal);
            }

            answered.UnionWith(marks);
        }

        return true;
    }

    private async Task<List<(string Name, GcMark Mark)>> ReadMarksAsync(List<string> names, CancellationToken cancellationToken)
    {
        var marks = new List<(string, GcMark)>();
        foreach (var name in names)
        {
            // A mark deleted since the listing no longer counts.
            if (await RepositoryStore.TryReadAllAsync(Store, RepositoryLayout.GcMarksFolder + name, cancellationToken).ConfigureAwait(false) is { } bytes)
            {
                marks.Add((name, GcMark.Decode(name, bytes)));
            }
        }

        return marks;
    }

    private void SetMarksLocked(List<(string Name, GcMark Mark)> marks)
    {
        _markedBy.Clear();
        foreach (var (name, mark) in marks)
        {
            foreach (var path in mark.Objects)
            {
                if (!_markedBy.TryGetValue(path, out var list))
                {
                    _markedBy[path] = list = [];
                }

                list.Add(name);
            }
        }
    }

    /// <summary>The current marks naming the path that this process has not answered by rewriting it, or null.</summary>
    private List<string>? MarksOfLocked(string path)
    {
        if (!_markedBy.TryGetValue(path, out var names))
        {
            return null;
        }

        if (!_rescued.TryGetValue(path, out var answered))
        {
            return names;
        }

        var open = names.Where(n => !answered.Contains(n)).ToList();
        return open.Count == 0 ? null : open;
    }

    private bool IsPackMarkedLocked(ObjectId packId) => _markedBy.Count > 0 && MarksOfLocked(RepositoryLayout.PackPath(packId)) is not null;
}
