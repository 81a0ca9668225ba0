using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

/// <summary>
/// What one reachability pass found: the listed packs, indexes and trees, what the records reach, which indexes are
/// superseded, and which objects are unreferenced. The garbage collector and the compactor both plan from it.
/// </summary>
/// <param name="Time">When it was computed (the collector's clock).</param>
/// <param name="OldEnough">Objects last modified before this are past the grace.</param>
/// <param name="Snapshots">The snapshot records reachability was computed from.</param>
/// <param name="Listed">Every pack, index and tree listed (after the records), by path.</param>
/// <param name="LiveChunks">Every chunk a record reaches.</param>
/// <param name="Indexes">Every listed index that could be read, decoded.</param>
/// <param name="Superseded">The paths of the listed indexes a listed index supersedes: readers ignore them.</param>
/// <param name="PacksOfLiveIndexes">The paths of the packs a live (not superseded) index names.</param>
/// <param name="LivePacks">The paths of the packs a live index names holding a live chunk.</param>
/// <param name="IndexesOfPack">For each pack path, the paths of every index (live or not) naming it.</param>
/// <param name="Marks">The marks stored when planned, oldest first.</param>
/// <param name="Unreferenced">Packs, indexes and trees nothing live needs, of any age.</param>
internal sealed record GcAnalysis(
    DateTimeOffset Time,
    DateTimeOffset OldEnough,
    int Snapshots,
    IReadOnlyDictionary<string, GcObject> Listed,
    IReadOnlySet<ObjectId> LiveChunks,
    IReadOnlyList<(string Path, PackIndex Index)> Indexes,
    IReadOnlySet<string> Superseded,
    IReadOnlySet<string> PacksOfLiveIndexes,
    IReadOnlySet<string> LivePacks,
    IReadOnlyDictionary<string, List<string>> IndexesOfPack,
    IReadOnlyList<StoredMark> Marks,
    IReadOnlyList<GcObject> Unreferenced)
{
    /// <summary>The unreferenced objects past the grace, by path.</summary>
    public List<GcObject> Candidates() =>
        [.. Unreferenced.Where(o => o.LastModified < OldEnough).OrderBy(o => o.Path, StringComparer.Ordinal)];

    /// <summary>The live (not superseded) indexes.</summary>
    public IEnumerable<(string Path, PackIndex Index)> LiveIndexes => Indexes.Where(x => !Superseded.Contains(x.Path));

    /// <summary>
    /// True when <paramref name="path"/> is in each of the last <paramref name="cycles"/> marks and the oldest of them
    /// is past the grace: no writer in flight relies on it (GC's rule for deleting, compaction's for dropping chunks).
    /// </summary>
    public bool MarkedLongEnough(string path, int cycles)
    {
        var last = Marks.Skip(Math.Max(0, Marks.Count - cycles)).ToList();
        return last.Count >= cycles && last[0].Mark.Time < OldEnough && last.All(m => m.Mark.Objects.Contains(path, StringComparer.Ordinal));
    }
}
