using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

/// <summary>A pack, index or tree as the store listed it.</summary>
/// <param name="Path">Its repository path.</param>
/// <param name="Kind">Pack, index or tree.</param>
/// <param name="Size">Its stored length.</param>
/// <param name="LastModified">When it was last written, by the store's clock.</param>
/// <param name="ETag">The version it was listed with: a delete is conditional on it.</param>
public sealed record GcObject(string Path, RepositoryObjectKind Kind, long Size, DateTimeOffset LastModified, string? ETag);

/// <summary>Counts and stored bytes of packs, indexes and trees.</summary>
public sealed record GcCounts(int Packs, long PackBytes, int Indexes, long IndexBytes, int Trees, long TreeBytes)
{
    /// <summary>Nothing.</summary>
    public static GcCounts Zero { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>Every object counted.</summary>
    public int Total => Packs + Indexes + Trees;

    /// <summary>The counts of <paramref name="objects"/>.</summary>
    public static GcCounts Of(IEnumerable<GcObject> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var list = objects.ToList();
        return new(
            list.Count(o => o.Kind == RepositoryObjectKind.Pack), list.Where(o => o.Kind == RepositoryObjectKind.Pack).Sum(o => o.Size),
            list.Count(o => o.Kind == RepositoryObjectKind.Index), list.Where(o => o.Kind == RepositoryObjectKind.Index).Sum(o => o.Size),
            list.Count(o => o.Kind == RepositoryObjectKind.Tree), list.Where(o => o.Kind == RepositoryObjectKind.Tree).Sum(o => o.Size));
    }
}

/// <summary>A GC mark as stored: its name (after <c>gc/marks/</c>) and content.</summary>
public sealed record StoredMark(string Name, GcMark Mark)
{
    /// <summary>Its repository path.</summary>
    public string Path => RepositoryLayout.GcMarksFolder + Name;
}

/// <summary>
/// One GC cycle's plan, a value: what it found, what is due for deletion now, what it would mark. Executing it
/// (<see cref="GarbageCollector.SweepAsync(GcPlan, CancellationToken)"/>, <see cref="GarbageCollector.MarkAsync"/>) and a dry run report the same.
/// </summary>
/// <param name="Time">When it was planned (the collector's clock).</param>
/// <param name="Snapshots">The snapshot records reachability was computed from.</param>
/// <param name="Scanned">Every pack, index and tree listed.</param>
/// <param name="Candidates">Unreferenced and old enough: marked by this cycle unless due.</param>
/// <param name="Due">Candidates in each of the last marks, the oldest old enough: deleted now, in order (indexes, packs, trees).</param>
/// <param name="UnreferencedTooYoung">Unreferenced objects not old enough to be candidates (maybe a snapshot in flight).</param>
/// <param name="Marks">The marks stored when planned, oldest first.</param>
/// <param name="ObsoleteMarks">Marks no later cycle needs: deleted by the sweep.</param>
public sealed record GcPlan(
    DateTimeOffset Time,
    int Snapshots,
    GcCounts Scanned,
    IReadOnlyList<GcObject> Candidates,
    IReadOnlyList<GcObject> Due,
    int UnreferencedTooYoung,
    IReadOnlyList<StoredMark> Marks,
    IReadOnlyList<StoredMark> ObsoleteMarks)
{
    /// <summary>
    /// Packs that are no candidate but the newest mark names and that still hold a chunk no snapshot references:
    /// compaction marked them so that it may drop those chunks once no writer in flight can rely on them; this cycle
    /// marks them again, so the marks stay consecutive. Never deleted by GC.
    /// </summary>
    public IReadOnlyList<GcObject> Held { get; init; } = [];

    /// <summary>The candidates not due and the held packs: what this cycle marks (candidates to be deleted by a later one).</summary>
    public IReadOnlyList<GcObject> ToMark
    {
        get
        {
            var due = Due.Select(o => o.Path).ToHashSet(StringComparer.Ordinal);
            return [.. Candidates.Where(c => !due.Contains(c.Path)).Concat(Held)];
        }
    }
}

/// <summary>What a sweep did.</summary>
/// <param name="Deleted">The objects deleted.</param>
/// <param name="Changed">Due objects rewritten since they were listed (a writer needed them): kept.</param>
/// <param name="MarksDeleted">Obsolete marks deleted.</param>
public sealed record GcSweepResult(GcCounts Deleted, int Changed, int MarksDeleted);

/// <summary>What a GC run did (or, for a dry run, would do).</summary>
/// <param name="DryRun">Nothing was written or deleted.</param>
/// <param name="Snapshots">The snapshot records reachability was computed from.</param>
/// <param name="Scanned">Every pack, index and tree listed.</param>
/// <param name="Marked">Candidates marked (waiting for a later cycle); not the held packs.</param>
/// <param name="Deleted">Objects deleted (a dry run: due for deletion).</param>
/// <param name="Changed">Due objects kept because a writer rewrote them.</param>
/// <param name="UnreferencedTooYoung">Unreferenced objects not old enough to be marked.</param>
/// <param name="MarkWritten">The path of the mark written, or null.</param>
/// <param name="MarksDeleted">Obsolete marks deleted.</param>
public sealed record GcReport(
    bool DryRun, int Snapshots, GcCounts Scanned, GcCounts Marked, GcCounts Deleted, int Changed, int UnreferencedTooYoung, string? MarkWritten, int MarksDeleted)
{
    /// <summary>Sparse packs marked again for compaction (<see cref="GcPlan.Held"/>): kept, not deleted by GC.</summary>
    public int HeldForCompaction { get; init; }
}

