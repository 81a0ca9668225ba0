using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

/// <summary>When the compactor repacks a pack and merges indexes (see docs/snapshots.md, "Compaction").</summary>
/// <param name="LiveFraction">
/// A pack whose live fraction (the stored bytes of its chunks some snapshot references, over the stored bytes of all
/// its chunks) is below this is repacked. Why 0.8: repacking copies the live part to free the rest, so at 0.8 at most
/// 4 bytes are copied per byte freed, and packs left alone waste at most a fifth of their data; at 0.5 a repository
/// could hold twice its live data, at 0.95 a repack copies up to 19 bytes per byte freed.
/// </param>
/// <param name="SmallIndexBytes">
/// An index stored in fewer bytes is small. Why 64 KiB: every flush of a writer writes one index, so many small runs
/// leave many indexes of a few KiB; opening the repository reads each of them.
/// </param>
/// <param name="MergeSmallIndexesAt">
/// When at least this many live indexes are small, all of them are merged into the compactor's one new index. Why 16:
/// fewer reads at open, without rewriting the repository's index whenever one run added one.
/// </param>
/// <param name="PackTargetLength">The length of the new packs (as writers make them).</param>
/// <param name="MergeRecordsAt">
/// A pair's snapshot records stored alone are merged into one record set (<see cref="SnapshotRecordMerger"/>) when at
/// least this many can be. Why 16: as for indexes, listing reads one object per record stored alone; a daily backup
/// is merged every two weeks or so.
/// </param>
public sealed record CompactOptions(double LiveFraction, long SmallIndexBytes, int MergeSmallIndexesAt, int PackTargetLength, int MergeRecordsAt = 16)
{
    /// <summary>0.8, 64 KiB, 16, 16 MiB packs, 16 records.</summary>
    public static CompactOptions Default { get; } = new(0.8, 64 * 1024, 16, PackFormat.DefaultTargetLength);

    /// <summary>Null when the options can be used, else what is wrong.</summary>
    public string? Problem()
    {
        if (double.IsNaN(LiveFraction) || LiveFraction <= 0 || LiveFraction > 1)
        {
            return $"the live-fraction threshold is above 0 and at most 1, not {LiveFraction}";
        }

        if (SmallIndexBytes < 0)
        {
            return "the small-index size is not negative";
        }

        if (MergeSmallIndexesAt < 2)
        {
            return $"small indexes are merged when there are at least 2 of them, not {MergeSmallIndexesAt}";
        }

        if (MergeRecordsAt < 1)
        {
            return $"snapshot records are merged from at least 1 record, not {MergeRecordsAt}";
        }

        return PackTargetLength is < 1 or > PackFormat.MaxPackLength
            ? $"the pack length is 1..{PackFormat.MaxPackLength}, not {PackTargetLength}"
            : null;
    }
}
