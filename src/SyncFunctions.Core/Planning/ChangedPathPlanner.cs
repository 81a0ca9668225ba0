using System.Runtime.CompilerServices;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.Planning;

/// <summary>
/// Plans a run of staged changed paths: for each path the run took, and each path of the carry-over set (which every
/// run re-plans), one lookup of the source, the baseline and the destination, decided by the same rule as a listing
/// (<see cref="Planner.Decide"/>: copy or update against the baseline, delete when the source has nothing there).
/// No listing of either side is read, and no whole baseline.
/// </summary>
/// <remarks>
/// Yields in ordinal path order, so a listing observer's continuation (the last planned path) works unchanged. Lookups
/// of a group of paths run concurrently. A path the source refuses (an invalid name) is skipped, never deleted.
/// </remarks>
internal static class ChangedPathPlanner
{
    /// <summary>Paths looked up at once.</summary>
    private const int Group = 16;

    public static async IAsyncEnumerable<PlanItem> PlanAsync(StepContext ctx, string? after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var group = new List<string>(Group);
        await foreach (var path in PathsAsync(ctx, after, cancellationToken).ConfigureAwait(false))
        {
            group.Add(path);
            if (group.Count == Group)
            {
                foreach (var item in await DecideAsync(ctx, group, cancellationToken).ConfigureAwait(false))
                {
                    yield return item;
                }

                group.Clear();
            }
        }

        foreach (var item in await DecideAsync(ctx, group, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    /// <summary>The run's taken changed paths merged with the carry-over set, ordinal, each once, after <paramref name="after"/>.</summary>
    private static async IAsyncEnumerable<string> PathsAsync(StepContext ctx, string? after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var changed in ctx.Ledger.ListChangedPathsAsync(ctx.PairId, cancellationToken).ConfigureAwait(false))
        {
            if (changed.TakenBy == ctx.RunId)
            {
                paths.Add(changed.Path);
            }
        }

        await foreach (var carried in ctx.Ledger.ListCarryOverAsync(ctx.PairId, cancellationToken).ConfigureAwait(false))
        {
            paths.Add(carried.Path);
        }

        foreach (var path in paths)
        {
            if (after is null || string.CompareOrdinal(path, after) > 0)
            {
                yield return path;
            }
        }
    }

    private static async Task<IEnumerable<PlanItem>> DecideAsync(StepContext ctx, List<string> paths, CancellationToken cancellationToken)
    {
        var decided = await Task.WhenAll(paths.Select(p => DecideOneAsync(ctx, p, cancellationToken))).ConfigureAwait(false);
        return decided.Where(i => i is not null).Select(i => i!.Value);
    }

    private static async Task<PlanItem?> DecideOneAsync(StepContext ctx, string path, CancellationToken cancellationToken)
    {
        var source = StatSourceAsync(ctx.Source, path, cancellationToken);
        var baseline = ctx.Ledger.GetBaselineAsync(ctx.PairId, path, cancellationToken);
        var destination = StatDestinationAsync(ctx.Destination, path, cancellationToken);
        await Task.WhenAll(source, baseline, destination).ConfigureAwait(false);
        var (info, skipped) = await source.ConfigureAwait(false);
        if (skipped is not null)
        {
            return new PlanItem(null, skipped);
        }

        var action = Planner.Decide(info, await baseline.ConfigureAwait(false), await destination.ConfigureAwait(false), destinationListed: true);
        return action is null ? null : new PlanItem(action, null);
    }

    private static async Task<(ObjectInfo? Info, SkippedObject? Skipped)> StatSourceAsync(IObjectStore source, string path, CancellationToken cancellationToken)
    {
        try
        {
            return (await source.GetInfoAsync(path, cancellationToken).ConfigureAwait(false), null);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.InvalidName)
        {
            return (null, new SkippedObject(path, e.Message));
        }
    }

    /// <summary>A destination that does not exist yet (no container or folder) holds nothing at the path.</summary>
    private static async Task<ObjectInfo?> StatDestinationAsync(IObjectStore destination, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await destination.GetInfoAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            return null;
        }
    }
}
