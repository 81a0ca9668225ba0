using System.Security.Cryptography;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

/// <summary>
/// Two-phase garbage collection of packs, indexes and trees no snapshot record references: each cycle plans
/// (reachability from every record and head now stored), deletes what is due and marks the other candidates; an
/// object is deleted only when it is unreferenced now, in each of the last <see cref="GcSafety.CyclesBeforeDelete"/>
/// marks, and the oldest of those is older than <see cref="GcSafety.Grace"/>.
/// </summary>
/// <remarks>
/// Plan first, execute second: <see cref="RunAsync(bool, int?, CancellationToken)"/> with a dry run reports the same plan and writes nothing. Deletes
/// are conditional on the listed ETag, so an object a writer rewrote meanwhile is kept. Run one collector per
/// repository at a time; writers may run concurrently (see docs/snapshots.md). Thread-safe (no state between calls).
/// </remarks>
public sealed partial class GarbageCollector
{
    private readonly SnapshotRepository _repository;
    private readonly TimeProvider _time;
    private readonly GcSafety _safety;

    /// <exception cref="ArgumentException"><paramref name="safety"/> has a <see cref="GcSafety.Problem"/>.</exception>
    public GarbageCollector(SnapshotRepository repository, TimeProvider time, GcSafety safety)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(safety);
        if (safety.Problem() is { } problem)
        {
            throw new ArgumentException("unsafe GC parameters: " + problem, nameof(safety));
        }

        _repository = repository;
        _time = time;
        _safety = safety;
    }

    /// <summary>Plans, then (unless <paramref name="dryRun"/>) sweeps what is due and marks the other candidates.</summary>
    /// <param name="dryRun">Report only: nothing is written or deleted.</param>
    /// <param name="max">The most objects deleted in this run (null: no limit); the rest wait for a later run.</param>
    /// <param name="cancellationToken">Cancels the reads, deletes and the mark's write; what was done stays done (safe).</param>
    /// <exception cref="SnapshotRepositoryException">A snapshot references a tree or chunk the repository lacks: nothing is deleted.</exception>
    public Task<GcReport> RunAsync(bool dryRun, int? max, CancellationToken cancellationToken) => RunAsync(dryRun, max, null, cancellationToken);

    /// <inheritdoc cref="RunAsync(bool, int?, CancellationToken)"/>
    /// <param name="dryRun">Report only: nothing is written or deleted.</param>
    /// <param name="max">The most objects deleted in this run (null: no limit); the rest wait for a later run.</param>
    /// <param name="deleted">Told of each object right after its delete (from the sweeping thread; may be null).</param>
    /// <param name="cancellationToken">Cancels the reads, deletes and the mark's write; what was done stays done (safe).</param>
    public async Task<GcReport> RunAsync(bool dryRun, int? max, IProgress<GcObject>? deleted, CancellationToken cancellationToken)
    {
        var plan = await PlanAsync(max, cancellationToken).ConfigureAwait(false);
        if (dryRun)
        {
            return new GcReport(true, plan.Snapshots, plan.Scanned, MarkedCandidates(plan), GcCounts.Of(plan.Due), 0, plan.UnreferencedTooYoung, null, 0) { HeldForCompaction = plan.Held.Count };
        }

        var swept = await SweepAsync(plan, deleted, cancellationToken).ConfigureAwait(false);
        var mark = await MarkAsync(plan, cancellationToken).ConfigureAwait(false);
        return new GcReport(false, plan.Snapshots, plan.Scanned, MarkedCandidates(plan), swept.Deleted, swept.Changed, plan.UnreferencedTooYoung, mark, swept.MarksDeleted)
        {
            HeldForCompaction = plan.Held.Count,
        };
    }

    private static GcCounts MarkedCandidates(GcPlan plan)
    {
        var held = plan.Held.Select(o => o.Path).ToHashSet(StringComparer.Ordinal);
        return GcCounts.Of(plan.ToMark.Where(o => !held.Contains(o.Path)));
    }

    /// <summary>
    /// Writes a mark of <paramref name="plan"/>'s candidates that are not due (nothing when there are none), timed by
    /// the clock now (when writers can first see it), and returns its path or null.
    /// </summary>
    public async Task<string?> MarkAsync(GcPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var objects = plan.ToMark;
        if (objects.Count == 0)
        {
            return null;
        }

        return await WriteMarkAsync(objects.Select(o => o.Path), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a mark of <paramref name="paths"/>, timed by the clock now, and returns its path.</summary>
    internal async Task<string> WriteMarkAsync(IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var path = RepositoryLayout.MarkPath(now, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(RepositoryLayout.MarkSuffixLength / 2)));
        var bytes = new GcMark(now, paths).Encode();
        await RepositoryStore.WriteIfAbsentAsync(_repository.Store, path, bytes, cancellationToken).ConfigureAwait(false);
        return path;
    }

    /// <summary>
    /// Deletes <paramref name="plan"/>'s due objects (indexes, then packs, then trees: a pack without an index is an
    /// orphan, an index naming a missing pack would be damage), each only if it still has the listed ETag, and then
    /// the obsolete marks. Use a fresh plan: its reachability is what makes the deletes safe.
    /// </summary>
    public Task<GcSweepResult> SweepAsync(GcPlan plan, CancellationToken cancellationToken) => SweepAsync(plan, null, cancellationToken);

    /// <inheritdoc cref="SweepAsync(GcPlan, CancellationToken)"/>
    /// <param name="plan">A fresh plan.</param>
    /// <param name="progress">Told of each object right after its delete (may be null).</param>
    /// <param name="cancellationToken">Cancels the deletes; what was deleted stays deleted (safe: the order keeps the repository valid).</param>
    public async Task<GcSweepResult> SweepAsync(GcPlan plan, IProgress<GcObject>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var deleted = new List<GcObject>();
        var changed = 0;
        foreach (var due in plan.Due)
        {
            try
            {
                await _repository.Store.DeleteAsync(due.Path, new WriteOptions(IfMatch: due.ETag), cancellationToken).ConfigureAwait(false);
                deleted.Add(due);
                progress?.Report(due);
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.PreconditionFailed)
            {
                changed++;
            }
        }

        foreach (var mark in plan.ObsoleteMarks)
        {
            await _repository.Store.DeleteAsync(mark.Path, WriteOptions.Unconditional, cancellationToken).ConfigureAwait(false);
        }

        return new GcSweepResult(GcCounts.Of(deleted), changed, plan.ObsoleteMarks.Count);
    }
}
