using Microsoft.Extensions.Logging;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Protocol;

/// <summary>
/// The run protocol as host-neutral steps over the ledger: <see cref="StartRunAsync"/>, <see cref="ObserveAsync"/>,
/// <see cref="ExecuteWorkItemAsync"/>, <see cref="StageChunkRangeAsync"/> and <see cref="CommitLargeFileAsync"/>,
/// <see cref="CheckCompletionAsync"/>, <see cref="FinalizeAsync"/>. The in-process driver (<c>syncfn sync</c>) and a
/// Durable orchestration call the same steps.
/// </summary>
/// <remarks>
/// <para>Each step takes and returns small serialisable records, reads the run's options from the run row and keeps
/// nothing of the run in memory between calls, so any process may run any step. Every step is idempotent under
/// duplicate and concurrent calls: plans are written insert-only, claims and run updates are CAS writes, and a lost
/// race is a result, not an error.</para>
/// <para>Ownership is by expiring, renewable leases: the coordinator's on the run row, a worker's on each work item.
/// One instance serves one pair's stores in one process; it holds only process resources (concurrency bounds, the
/// folder-pruning guard). Thread-safe. A step's token stops that call; its state stays resumable.</para>
/// </remarks>
public sealed partial class RunSteps : IDisposable
{
    public RunSteps(ILedger ledger, IObjectStore source, IObjectStore destination, EngineEnvironment env, int parallel = 16, IProgress<ActionEnded>? events = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        Ledger = ledger;
        Source = source;
        Destination = destination;
        Env = env;
        Events = events;
        Log = env.Logs.CreateLogger("SyncFunctions.Engine");
        Resources = new ProcessResources(destination, parallel, Log);
    }

    internal ILedger Ledger { get; }

    internal IObjectStore Source { get; }

    internal IObjectStore Destination { get; }

    /// <summary>
    /// The destination as a run of <paramref name="pairId"/> sees it: a snapshot destination's view of that pair (which
    /// lists the pair's latest snapshot and commits the next), any other destination as it is.
    /// </summary>
    internal IObjectStore DestinationFor(string pairId) =>
        Destination.GetCapability<ISnapshotDestination>() is { } snapshots ? snapshots.ForPair(pairId) : Destination;

    internal EngineEnvironment Env { get; }

    internal IProgress<ActionEnded>? Events { get; }

    internal ILogger Log { get; }

    internal ProcessResources Resources { get; }

    /// <summary>The source reports changes since a cursor (observed page by page, planned once the feed has arrived).</summary>
    internal bool IsChangeFeed => Source.GetCapability<IChangeSource>() is not null;

    public void Dispose() => Resources.Dispose();

    /// <summary>The run row, or an error naming the run.</summary>
    internal async Task<RunRecord> LoadRunAsync(string pairId, string runId, CancellationToken cancellationToken) =>
        await Ledger.GetRunAsync(pairId, runId, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException($"run {runId} is not in the ledger");

    /// <summary>A context for one step over <paramref name="run"/>, with the options stored on it.</summary>
    internal StepContext ContextFor(RunRecord run) => new(this, run, StoredOptions.Restore(run.OptionsJson, new SyncOptions { Parallel = Resources.Parallel }));

    /// <summary>Whether <paramref name="coordinatorId"/> holds the run's coordinator lease now.</summary>
    internal bool IsCoordinator(RunRecord run, string coordinatorId) =>
        run.CoordinatorId == coordinatorId && run.CoordinatorLeaseExpires is { } expires && expires > Env.Time.GetUtcNow();

    /// <summary>Read-modify-write of the run row with CAS; <paramref name="mutate"/> returns null for "no change" and may throw to give up.</summary>
    internal async Task<RunRecord> UpdateRunAsync(RunRecord current, Func<RunRecord, RunRecord?> mutate, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var changed = mutate(current);
            if (changed is null)
            {
                return current;
            }

            var stored = await Ledger.TryUpdateRunAsync(changed, cancellationToken).ConfigureAwait(false);
            if (stored is not null)
            {
                return stored;
            }

            if (attempt >= 50)
            {
                throw new InvalidOperationException($"run {current.RunId}: too many concurrent updates of the run row");
            }

            current = await LoadRunAsync(current.PairId, current.RunId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Read-modify-write of the pair row with CAS; null from <paramref name="mutate"/> stops (no change wanted).</summary>
    internal async Task<PairRecord?> UpdatePairAsync(string pairId, PairRecord? known, Func<PairRecord, PairRecord?> mutate, CancellationToken cancellationToken)
    {
        var pair = known;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            pair ??= await Ledger.GetPairAsync(pairId, cancellationToken).ConfigureAwait(false);
            if (pair is null || mutate(pair) is not { } changed)
            {
                return pair;
            }

            if (await Ledger.TryUpdatePairAsync(changed, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                return stored;
            }

            pair = null;
        }

        throw new InvalidOperationException($"pair {pairId}: too many concurrent updates of the pair row");
    }
}
