using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

/// <summary>A pack the compactor repacks: what it copies into new packs and what it leaves behind.</summary>
/// <param name="Pack">The pack, as listed.</param>
/// <param name="LiveFraction">The stored bytes of its chunks a snapshot references over those of all its chunks.</param>
/// <param name="Move">The chunks copied into new packs: referenced and in no pack that stays (by offset).</param>
/// <param name="DroppedChunks">Its other chunks: referenced by no snapshot, or kept in another pack.</param>
/// <param name="DroppedBytes">Their stored bytes.</param>
public sealed record CompactPack(GcObject Pack, double LiveFraction, IReadOnlyList<PackEntry> Move, int DroppedChunks, long DroppedBytes)
{
    /// <summary>The stored bytes of <see cref="Move"/>.</summary>
    public long MoveBytes => Move.Sum(e => (long)e.StoredLength);
}

/// <summary>
/// One compaction's plan, a value: what it repacks, which indexes its one new index supersedes, and what it marks.
/// Executing it (<see cref="RepositoryCompactor.RunAsync"/>) and a dry run report the same.
/// </summary>
/// <param name="Time">When it was planned (the compactor's clock).</param>
/// <param name="Snapshots">The snapshot records reachability was computed from.</param>
/// <param name="Scanned">The packs live indexes name (listed).</param>
/// <param name="Repack">
/// Sparse packs (live fraction below the threshold, past the grace) that were in each of the last
/// <see cref="GcSafety.CyclesBeforeDelete"/> marks, the oldest past the grace: no writer in flight relies on their
/// unreferenced chunks, so those are dropped. Most sparse first.
/// </param>
/// <param name="MarkForLater">Sparse packs not marked long enough: marked now, repacked by a later compaction.</param>
/// <param name="Merge">The live indexes the new index supersedes: every one naming a repacked pack, and the small ones when there are enough.</param>
/// <param name="Kept">The packs of <see cref="Merge"/> that are not repacked, with all their entries: the new index names them.</param>
/// <param name="Supersedes">What the new index supersedes: the merged indexes and the still listed indexes they supersede.</param>
/// <param name="Mark">What the compactor's mark names (GC's candidates and held packs too, so GC's cycles go on), or empty.</param>
public sealed record CompactPlan(
    DateTimeOffset Time,
    int Snapshots,
    GcCounts Scanned,
    IReadOnlyList<CompactPack> Repack,
    IReadOnlyList<GcObject> MarkForLater,
    IReadOnlyList<GcObject> Merge,
    IReadOnlyList<IndexedPack> Kept,
    IReadOnlyList<ObjectId> Supersedes,
    IReadOnlyList<string> Mark)
{
    /// <summary>True when running it writes a new index.</summary>
    public bool WritesIndex => Repack.Count > 0 || Merge.Count > 0;

    /// <summary>
    /// What GC can delete once the new index is written, less what the new packs take: the repacked packs and the merged
    /// indexes, minus the moved chunks' bytes (footers and the new index not counted).
    /// </summary>
    public long ReclaimableBytes => Repack.Sum(p => p.Pack.Size - p.MoveBytes) + Merge.Sum(i => i.Size);
}

/// <summary>How far a compaction's repacking got: packs read and copied so far, of those the plan repacks.</summary>
/// <param name="PacksDone">Packs to repack read and copied so far.</param>
/// <param name="PacksTotal">Packs the plan repacks.</param>
/// <param name="BytesMoved">The stored bytes of the chunks copied so far.</param>
public sealed record CompactProgress(int PacksDone, int PacksTotal, long BytesMoved);

/// <summary>What a compaction did (or, for a dry run, would do).</summary>
/// <param name="DryRun">Nothing was written.</param>
/// <param name="Snapshots">The snapshot records reachability was computed from.</param>
/// <param name="PacksScanned">Packs the live indexes name.</param>
/// <param name="PackBytesScanned">Their stored bytes.</param>
/// <param name="PacksRepacked">Packs repacked (left to GC).</param>
/// <param name="PackBytesRepacked">Their stored bytes.</param>
/// <param name="ChunksMoved">Chunks copied into new packs.</param>
/// <param name="ChunkBytesMoved">Their stored bytes (in the old packs).</param>
/// <param name="ChunksDropped">Chunks of repacked packs not copied (unreferenced, or kept elsewhere).</param>
/// <param name="ChunkBytesDropped">Their stored bytes.</param>
/// <param name="PacksMarked">Sparse packs marked for a later compaction.</param>
/// <param name="IndexesMerged">Indexes the new index supersedes (left to GC).</param>
/// <param name="IndexBytesMerged">Their stored bytes.</param>
/// <param name="PacksWritten">New packs written (0 in a dry run).</param>
/// <param name="PackBytesWritten">Their bytes.</param>
/// <param name="IndexWritten">The new index's path, or null.</param>
/// <param name="MarkWritten">The mark's path, or null.</param>
/// <param name="ReclaimableBytes">What GC can reclaim afterwards (<see cref="CompactPlan.ReclaimableBytes"/>).</param>
public sealed record CompactReport(
    bool DryRun,
    int Snapshots,
    int PacksScanned,
    long PackBytesScanned,
    int PacksRepacked,
    long PackBytesRepacked,
    int ChunksMoved,
    long ChunkBytesMoved,
    int ChunksDropped,
    long ChunkBytesDropped,
    int PacksMarked,
    int IndexesMerged,
    long IndexBytesMerged,
    int PacksWritten,
    long PackBytesWritten,
    string? IndexWritten,
    string? MarkWritten,
    long ReclaimableBytes)
{
    /// <summary>The report of <paramref name="plan"/> with nothing written yet.</summary>
    public static CompactReport Of(CompactPlan plan, bool dryRun)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new(
            dryRun,
            plan.Snapshots,
            plan.Scanned.Packs,
            plan.Scanned.PackBytes,
            plan.Repack.Count,
            plan.Repack.Sum(p => p.Pack.Size),
            plan.Repack.Sum(p => p.Move.Count),
            plan.Repack.Sum(p => p.MoveBytes),
            plan.Repack.Sum(p => p.DroppedChunks),
            plan.Repack.Sum(p => p.DroppedBytes),
            plan.MarkForLater.Count,
            plan.Merge.Count,
            plan.Merge.Sum(i => i.Size),
            0,
            0,
            null,
            null,
            plan.ReclaimableBytes);
    }
}
