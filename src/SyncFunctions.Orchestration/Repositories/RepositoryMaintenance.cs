using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Core.Snapshots.Maintenance;

namespace SyncFunctions.Orchestration.Repositories;

/// <summary>The maintenance operations on snapshot repositories a host runs on timers and over HTTP.</summary>
public static class RepositoryOperations
{
    /// <summary>Two-phase garbage collection (<see cref="GarbageCollector"/>).</summary>
    public const string Gc = "gc";

    /// <summary>Repacking sparse packs and merging small indexes (<see cref="RepositoryCompactor"/>).</summary>
    public const string Compact = "compact";

    /// <summary>True for an operation this host runs.</summary>
    public static bool IsKnown(string? operation) => operation is Gc or Compact;
}

/// <summary>One repository's part of a maintenance run: which repository, the operation's knobs.</summary>
/// <param name="Repository">The repository's canonical endpoint.</param>
/// <param name="Operation">gc or compact.</param>
/// <param name="DryRun">Report only.</param>
/// <param name="Max">The most objects deleted (gc) or packs repacked (compact); null: no limit.</param>
public sealed record RepositoryMaintenanceOrder(string Repository, string Operation, bool DryRun, int? Max);

/// <summary>Objects and their stored bytes.</summary>
public sealed record ObjectCount(long Objects, long Bytes)
{
    public static ObjectCount Zero { get; } = new(0, 0);

    public static ObjectCount Of(GcCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return new(counts.Total, counts.PackBytes + counts.IndexBytes + counts.TreeBytes);
    }

    public ObjectCount Add(ObjectCount other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Objects + other.Objects, Bytes + other.Bytes);
    }
}

/// <summary>
/// What maintenance did to one repository: what it scanned, found orphaned (unreferenced: marked, or due for deletion)
/// and freed (deleted; a dry run frees nothing and says what it would), with the operation's own report.
/// </summary>
/// <param name="Repository">The repository's canonical endpoint.</param>
/// <param name="Operation">gc or compact.</param>
/// <param name="DryRun">Nothing was changed.</param>
/// <param name="Scanned">Packs, indexes and trees listed.</param>
/// <param name="Orphaned">Unreferenced objects found old enough (gc), or packs whose live fraction fell below the threshold (compact).</param>
/// <param name="Freed">Deleted now (gc; a dry run: what would be), or made reclaimable for gc (compact).</param>
/// <param name="Gc">GC's report (gc only).</param>
/// <param name="Compact">Compaction's report (compact only).</param>
/// <param name="Records">What merging snapshot records into record sets did (compact only).</param>
/// <param name="Error">Why the repository was not maintained (none yet, damaged), or null.</param>
public sealed record RepositoryMaintenanceResult(
    string Repository,
    string Operation,
    bool DryRun,
    ObjectCount Scanned,
    ObjectCount Orphaned,
    ObjectCount Freed,
    GcReport? Gc = null,
    CompactReport? Compact = null,
    string? Error = null,
    RecordMergeReport? Records = null);

/// <summary>
/// Runs GC and compaction on one repository of the <see cref="RepositoryCatalog"/>; the activities of
/// <see cref="RepositoryMaintenanceOrchestrator"/> call it. A repository that does not exist yet (no run wrote it) or is
/// damaged is reported with the reason, not thrown; store failures are thrown (the activity's retry takes them).
/// </summary>
/// <remarks>Thread-safe: no state between calls. Run one maintenance of a repository at a time (the launcher refuses a second).</remarks>
public sealed class RepositoryMaintenanceService(RepositoryCatalog catalog, TimeProvider time, GcSafety safety)
{
    /// <summary>The repositories the catalog lists, or only <paramref name="repository"/> when it names one of them.</summary>
    public async Task<IReadOnlyList<RepositoryRef>> ListAsync(string? repository, CancellationToken cancellationToken)
    {
        var all = await catalog.ListAsync(cancellationToken).ConfigureAwait(false);
        return repository is null ? all : [.. all.Where(r => r.Repository == repository)];
    }

    /// <summary>Runs <paramref name="order"/> on its repository.</summary>
    public async Task<RepositoryMaintenanceResult> RunAsync(RepositoryMaintenanceOrder order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (!RepositoryOperations.IsKnown(order.Operation))
        {
            throw new ArgumentException($"unknown maintenance operation '{order.Operation}'", nameof(order));
        }

        try
        {
            var repository = await catalog.OpenAsync(order.Repository, cancellationToken).ConfigureAwait(false);
            return order.Operation == RepositoryOperations.Gc
                ? await GcAsync(order, repository, cancellationToken).ConfigureAwait(false)
                : await CompactAsync(order, repository, cancellationToken).ConfigureAwait(false);
        }
        catch (SnapshotRepositoryException e)
        {
            return Failed(order, e.Message);
        }
        catch (RepositoryFormatException e)
        {
            return Failed(order, $"the repository is damaged: {e.Message} (syncfn repo verify lists all damage)");
        }
    }

    private async Task<RepositoryMaintenanceResult> GcAsync(RepositoryMaintenanceOrder order, SnapshotRepository repository, CancellationToken cancellationToken)
    {
        var report = await new GarbageCollector(repository, time, safety).RunAsync(order.DryRun, order.Max, cancellationToken).ConfigureAwait(false);
        var orphaned = ObjectCount.Of(report.Marked).Add(ObjectCount.Of(report.Deleted));
        return new RepositoryMaintenanceResult(order.Repository, order.Operation, order.DryRun, ObjectCount.Of(report.Scanned), orphaned, ObjectCount.Of(report.Deleted), Gc: report);
    }

    /// <summary>
    /// Scanned: the packs the live indexes name; orphaned: the sparse packs (repacked now, or marked for a later
    /// compaction); freed: the packs and indexes compaction replaced, with the bytes GC can now reclaim. Then each
    /// pair's snapshot records are merged into a record set (<see cref="SnapshotRecordMerger"/>).
    /// </summary>
    private async Task<RepositoryMaintenanceResult> CompactAsync(RepositoryMaintenanceOrder order, SnapshotRepository repository, CancellationToken cancellationToken)
    {
        var report = await new RepositoryCompactor(repository, time, safety, CompactOptions.Default).RunAsync(order.DryRun, order.Max, cancellationToken).ConfigureAwait(false);
        var records = await new SnapshotRecordMerger(repository, CompactOptions.Default).RunAsync(order.DryRun, cancellationToken).ConfigureAwait(false);
        return new RepositoryMaintenanceResult(
            order.Repository,
            order.Operation,
            order.DryRun,
            new ObjectCount(report.PacksScanned, report.PackBytesScanned),
            new ObjectCount(report.PacksRepacked + report.PacksMarked, report.PackBytesRepacked),
            new ObjectCount(report.PacksRepacked + report.IndexesMerged, report.ReclaimableBytes),
            Compact: report,
            Records: records);
    }

    private static RepositoryMaintenanceResult Failed(RepositoryMaintenanceOrder order, string error) =>
        new(order.Repository, order.Operation, order.DryRun, ObjectCount.Zero, ObjectCount.Zero, ObjectCount.Zero, Error: error);
}
