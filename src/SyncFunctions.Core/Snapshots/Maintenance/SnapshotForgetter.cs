using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

/// <summary>What forgetting did.</summary>
/// <param name="Deleted">Snapshot records deleted.</param>
/// <param name="KeptAsHeads">Snapshots the plan removed that had become a pair's head meanwhile, kept.</param>
public sealed record ForgetResult(int Deleted, int KeptAsHeads);

/// <summary>
/// Forgets snapshots by a <see cref="RetentionPolicy"/>: plans (a pure function of the records and heads), then
/// deletes the removed snapshot records only; their trees and chunks are the garbage collector's.
/// </summary>
/// <remarks>Thread-safe (no state of its own). The clock gives the time zone that days and weeks are counted in.</remarks>
public sealed class SnapshotForgetter(SnapshotRepository repository, TimeProvider time)
{
    /// <summary>The plan for every snapshot of the repository, in <paramref name="zone"/> (the clock's local zone when null).</summary>
    /// <exception cref="ArgumentException">The policy has a <see cref="RetentionPolicy.Problem"/>.</exception>
    /// <exception cref="RepositoryFormatException">A record or head is damaged.</exception>
    public async Task<RetentionPlan> PlanAsync(RetentionPolicy policy, TimeZoneInfo? zone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var snapshots = await new SnapshotReader(repository).ListAsync(cancellationToken).ConfigureAwait(false);
        var heads = await ReadHeadsAsync(cancellationToken).ConfigureAwait(false);
        return policy.Plan(snapshots, zone ?? time.LocalTimeZone, heads);
    }

    /// <summary>
    /// Deletes the records of <paramref name="plan"/>'s removed snapshots; the heads are read again first and a
    /// snapshot that is a head now is kept.
    /// </summary>
    /// <param name="plan">A plan of <see cref="PlanAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the deletes; the ones done stay done.</param>
    public async Task<ForgetResult> ApplyAsync(RetentionPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var heads = await ReadHeadsAsync(cancellationToken).ConfigureAwait(false);
        int deleted = 0, keptAsHeads = 0;
        foreach (var snapshot in plan.Remove)
        {
            if (heads.Contains(snapshot.Id))
            {
                keptAsHeads++;
                continue;
            }

            await repository.Store.DeleteAsync(RepositoryLayout.SnapshotPath(snapshot.Id), Abstractions.WriteOptions.Unconditional, cancellationToken).ConfigureAwait(false);
            deleted++;
        }

        return new ForgetResult(deleted, keptAsHeads);
    }

    /// <summary>The snapshot every head of the repository names.</summary>
    internal static async Task<HashSet<ObjectId>> ReadHeadsAsync(SnapshotRepository repository, CancellationToken cancellationToken)
    {
        var heads = new HashSet<ObjectId>();
        await foreach (var info in RepositoryStore.ListFolderAsync(repository.Store, RepositoryLayout.HeadsFolder, cancellationToken).ConfigureAwait(false))
        {
            if (RepositoryLayout.TryParse(info.Path, out var parsed) && parsed.Kind == RepositoryObjectKind.Head
                && await RepositoryStore.TryReadAllAsync(repository.Store, info.Path, cancellationToken).ConfigureAwait(false) is { } bytes)
            {
                heads.Add(SnapshotHead.Decode(parsed.PairId!, bytes).Snapshot);
            }
        }

        return heads;
    }

    private Task<HashSet<ObjectId>> ReadHeadsAsync(CancellationToken cancellationToken) => ReadHeadsAsync(repository, cancellationToken);
}
