using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.Maintenance;

/// <summary>
/// Leftovers at the destinations: blocks an upload staged and never committed, partial files of downloads, of the
/// paths whose upload an ended or abandoned run left unfinished. Found through the stores' cleaner capabilities.
/// </summary>
public sealed partial class MaintenanceService
{
    /// <summary>Why committed content is never rewritten to drop staged blocks.</summary>
    internal const string CommittedBlobKept =
        "the blob has committed content; recommitting would change its ETag, the service drops uncommitted blocks after 7 days";

    private static readonly HashSet<RunStatus> Unfinished = [RunStatus.Cancelled, RunStatus.Failed, RunStatus.CompletedWithFailures];

    /// <summary>Opens the pairs' destinations; null: leftovers at destinations are reported as not checked.</summary>
    public IPairDestinations? Destinations { get; init; }

    /// <summary>
    /// The leftovers of the unfinished uploads of <paramref name="ended"/> runs and of <paramref name="abandoned"/> ones,
    /// at the destinations of pairs with no active run (an abandoned run about to be ended does not count as active).
    /// </summary>
    private async Task<(List<DestinationLeftover> Found, List<string> Notes)> PlanLeftoversAsync(
        IEnumerable<RunRecord> ended, IReadOnlyCollection<RunRecord> abandoned, CancellationToken cancellationToken)
    {
        var found = new List<DestinationLeftover>();
        var notes = new List<string>();
        var candidates = ended.Where(r => Unfinished.Contains(r.Status)).Concat(abandoned);
        var ending = abandoned.Select(r => r.RunId).ToHashSet(StringComparer.Ordinal);
        foreach (var byPair in candidates.GroupBy(r => r.PairId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var pair = await ledger.GetPairAsync(byPair.Key, cancellationToken).ConfigureAwait(false);
            if (pair is null)
            {
                continue;
            }

            if (pair.ActiveRunId is { } active && !ending.Contains(active))
            {
                notes.Add($"pair {pair.PairId}: run {active} is active; its destination is checked after it ends");
                continue;
            }

            var store = await OpenDestinationAsync(pair.PairId, notes, cancellationToken).ConfigureAwait(false);
            if (store is null)
            {
                continue;
            }

            // The latest unfinished run of a path names it; a path is looked at once.
            var paths = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var run in byPair.OrderBy(r => r.RunId, StringComparer.Ordinal))
            {
                await foreach (var path in UnfinishedUploadsAsync(run.RunId, cancellationToken).ConfigureAwait(false))
                {
                    paths[path] = run.RunId;
                }
            }

            foreach (var (path, runId) in paths)
            {
                try
                {
                    if (await InspectAsync(store, pair.PairId, runId, path, cancellationToken).ConfigureAwait(false) is { } leftover)
                    {
                        found.Add(leftover);
                    }
                }
                catch (Exception e) when (e is StorageException or InvalidOperationException)
                {
                    notes.Add($"pair {pair.PairId}: '{path}' was not checked: {e.Message}");
                }
            }
        }

        return (found, notes);
    }

    /// <summary>Removes the planned leftovers still as planned, on pairs still without an active run; the rest is kept with why.</summary>
    private async Task<List<DestinationLeftover>> RemoveLeftoversAsync(IReadOnlyList<DestinationLeftover> planned, CancellationToken cancellationToken)
    {
        var done = new List<DestinationLeftover>();
        var stores = new Dictionary<string, IObjectStore?>(StringComparer.Ordinal);
        var notes = new List<string>();
        foreach (var leftover in planned)
        {
            if (leftover.Kept is not null)
            {
                done.Add(leftover);
                continue;
            }

            if (!stores.TryGetValue(leftover.PairId, out var store))
            {
                store = stores[leftover.PairId] = await OpenDestinationAsync(leftover.PairId, notes, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                done.Add(store is null
                    ? leftover with { Kept = "the destination did not open" }
                    : leftover with { Kept = await RemoveAsync(store, leftover, cancellationToken).ConfigureAwait(false) });
            }
            catch (Exception e) when (e is StorageException or InvalidOperationException)
            {
                done.Add(leftover with { Kept = $"the removal failed: {e.Message}" });
            }
        }

        return done;
    }

    /// <summary>Removes one leftover; null when removed, else why it was kept.</summary>
    private async Task<string?> RemoveAsync(IObjectStore store, DestinationLeftover leftover, CancellationToken cancellationToken)
    {
        // Checked right before the delete: a run that started since the plan may be writing the path.
        var pair = await ledger.GetPairAsync(leftover.PairId, cancellationToken).ConfigureAwait(false);
        if (pair is null)
        {
            return "the pair was removed since the plan";
        }

        if (pair.ActiveRunId is { } active)
        {
            return $"run {active} of the pair is active";
        }

        var now = await InspectAsync(store, leftover.PairId, leftover.RunId, leftover.Path, cancellationToken).ConfigureAwait(false);
        if (now is null || now.Kept is not null || now.Count != leftover.Count || now.Bytes != leftover.Bytes)
        {
            return "changed since the plan";
        }

        var removed = leftover.Kind == LeftoverKind.UncommittedBlocks
            ? store.GetCapability<IStagedChunkCleaner>() is { } blocks && await blocks.DiscardUncommittedAsync(leftover.Path, cancellationToken).ConfigureAwait(false)
            : store.GetCapability<IPartialFileCleaner>() is { } partials && await partials.DiscardPartialAsync(leftover.Path, leftover.Bytes, cancellationToken).ConfigureAwait(false);
        return removed ? null : "changed since the plan";
    }

    /// <summary>What the store holds of an unfinished transfer to <paramref name="path"/>; null when nothing.</summary>
    private static async Task<DestinationLeftover?> InspectAsync(IObjectStore store, string pairId, string runId, string path, CancellationToken cancellationToken)
    {
        if (store.GetCapability<IStagedChunkCleaner>() is { } blocks)
        {
            var state = await blocks.GetStagedChunkStateAsync(path, cancellationToken).ConfigureAwait(false);
            return state.Chunks.Count == 0
                ? null
                : new DestinationLeftover(pairId, runId, path, LeftoverKind.UncommittedBlocks, state.Chunks.Count, state.Bytes) { Kept = state.HasCommittedContent ? CommittedBlobKept : null };
        }

        if (store.GetCapability<IPartialFileCleaner>() is { } partials
            && await partials.GetPartialSizeAsync(path, cancellationToken).ConfigureAwait(false) is { } size)
        {
            return new DestinationLeftover(pairId, runId, path, LeftoverKind.PartialFile, 1, size);
        }

        return null;
    }

    /// <summary>
    /// Paths of the run's uploads that did not finish (any state but Done: a worker killed before its first checkpoint
    /// leaves the action Pending) and that were large enough to be staged: a file no larger than the smallest chunk
    /// size is written in one request whatever the run's chunk size, so it leaves nothing (and costs no request here).
    /// </summary>
    private async IAsyncEnumerable<string> UnfinishedUploadsAsync(string runId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in ledger.ListWorkItemsAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            foreach (var action in await ledger.GetActionsAsync(runId, item.ItemId, cancellationToken).ConfigureAwait(false))
            {
                if (action.Kind == ActionKind.Upload && action.Status != ActionStatus.Done && action.SourceSize > SyncOptions.MinChunkSize)
                {
                    yield return action.Path;
                }
            }
        }
    }

    private async Task<IObjectStore?> OpenDestinationAsync(string pairId, List<string> notes, CancellationToken cancellationToken)
    {
        try
        {
            var store = await Destinations!.OpenAsync(pairId, cancellationToken).ConfigureAwait(false);
            if (store is null)
            {
                notes.Add($"pair {pairId}: its destination is unknown here");
            }

            return store;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A destination this host cannot open (another account, missing credentials) must not stop the ledger's pass.
            notes.Add($"pair {pairId}: its destination did not open: {e.Message}");
            return null;
        }
    }
}
