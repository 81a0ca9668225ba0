using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.InProcess;

public sealed partial class SyncEngine
{
    /// <summary>
    /// One active run per pair, set on the pair row with If-Match. An unfinished run is resumed: taken over when
    /// its owner is dead, released, or silent for longer than the heartbeat timeout; otherwise the pair is busy.
    /// </summary>
    private async Task<(RunRecord? Run, bool Resumed, RunRecord? Busy, PairRecord? Pair)> AcquireRunAsync(PairRecord template, SyncOptions options, CancellationToken cancellationToken)
    {
        var pair = await GetOrCreatePairAsync(template, cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (pair.ActiveRunId is { } activeId)
            {
                var active = await _ledger.GetRunAsync(pair.PairId, activeId, cancellationToken).ConfigureAwait(false);
                if (active is null || active.Status != RunStatus.Running)
                {
                    // A crash between setting the pair and creating the run, or a run that ended without releasing.
                    pair = await _ledger.TryUpdatePairAsync(pair with { ActiveRunId = null }, cancellationToken).ConfigureAwait(false)
                        ?? await ReloadPairAsync(pair.PairId, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var why = TakeoverReason(active, options);
                if (why is null)
                {
                    return (null, false, active, pair);
                }

                var taken = await TakeOverAsync(active, why, cancellationToken).ConfigureAwait(false);
                if (taken is not null)
                {
                    return (taken, true, null, pair);
                }

                pair = await ReloadPairAsync(pair.PairId, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var runId = NewRunId(_env.Time);
            var claimed = await _ledger.TryUpdatePairAsync(pair with { ActiveRunId = runId }, cancellationToken).ConfigureAwait(false);
            if (claimed is null)
            {
                pair = await ReloadPairAsync(pair.PairId, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var now = _env.Time.GetUtcNow();
            var run = await _ledger.CreateRunAsync(
                new RunRecord
                {
                    PairId = pair.PairId,
                    RunId = runId,
                    Trigger = options.Trigger,
                    OwnerHost = _env.Owner.Host,
                    OwnerPid = _env.Owner.Pid,
                    OwnerStarted = _env.Owner.Started,
                    Heartbeat = now,
                    CreatedAt = now,
                    OptionsJson = RunOptions.ToJson(options),

                    // A change feed continues from the pair's committed cursor (none: a first, full enumeration).
                    ObserveContinuation = _source is IChangeSource ? claimed.Cursor : null,
                },
                cancellationToken).ConfigureAwait(false);
            Logs.RunStarted(_env.Logs.CreateLogger("SyncFunctions.Engine"), runId, pair.PairId);
            return (run, false, null, claimed);
        }

        throw new InvalidOperationException($"pair {template.PairId}: could not acquire the pair row (too much contention)");
    }

    /// <summary>
    /// Reads the pair; only a pair that is not there yet (a new pair, or tables that do not exist yet) pays for
    /// creating the tables, so an incremental run costs one read here.
    /// </summary>
    private async Task<PairRecord> GetOrCreatePairAsync(PairRecord template, CancellationToken cancellationToken)
    {
        PairRecord? existing;
        try
        {
            existing = await _ledger.GetPairAsync(template.PairId, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.NotFound)
        {
            existing = null;
        }

        if (existing is not null)
        {
            return existing;
        }

        await _ledger.InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _ledger.GetOrCreatePairAsync(template with { CreatedAt = template.CreatedAt ?? _env.Time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
    }

    private string? TakeoverReason(RunRecord active, SyncOptions options)
    {
        if (active.OwnerPid == 0)
        {
            return "released";
        }

        if (_env.Liveness.IsAlive(active.OwnerHost, active.OwnerPid, active.OwnerStarted) == false)
        {
            return "owner process is gone";
        }

        var silent = _env.Time.GetUtcNow() - active.Heartbeat;
        return silent > options.HeartbeatTimeout ? $"no heartbeat for {silent.TotalSeconds:F0} s" : null;
    }

    private async Task<RunRecord?> TakeOverAsync(RunRecord active, string why, CancellationToken cancellationToken)
    {
        var previous = $"{active.OwnerHost}:{active.OwnerPid}";
        var taken = await _ledger.TryUpdateRunAsync(
            active with
            {
                OwnerHost = _env.Owner.Host,
                OwnerPid = _env.Owner.Pid,
                OwnerStarted = _env.Owner.Started,
                Heartbeat = _env.Time.GetUtcNow(),
                Error = null,
            },
            cancellationToken).ConfigureAwait(false);
        if (taken is null)
        {
            return null;
        }

        var log = _env.Logs.CreateLogger("SyncFunctions.Engine");
        Logs.RunResumed(log, taken.RunId, previous, why);

        // Reclaim the dead owner's claims at once instead of waiting for their leases to expire.
        var prefix = RunContext.OwnerPrefix(active.OwnerHost, active.OwnerPid);
        await foreach (var item in _ledger.ListWorkItemsAsync(taken.RunId, cancellationToken).ConfigureAwait(false))
        {
            if (item.Status == WorkStatus.Claimed && item.LeaseOwner is { } owner && owner.StartsWith(prefix, StringComparison.Ordinal))
            {
                if (await _ledger.TryUpdateWorkItemAsync(item with { Status = WorkStatus.Pending, LeaseOwner = null, LeaseExpires = null }, cancellationToken).ConfigureAwait(false) is not null)
                {
                    Logs.Reclaimed(log, item.ItemId, previous);
                }
            }
        }

        return taken;
    }

    private async Task<PairRecord> ReloadPairAsync(string pairId, CancellationToken cancellationToken) =>
        await _ledger.GetPairAsync(pairId, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException($"pair {pairId} disappeared from the ledger");

    /// <summary>
    /// The owner writes its heartbeat and watches for <c>runs cancel</c> and for losing the run to a takeover;
    /// every process renews the leases of the items it holds.
    /// </summary>
    private static async Task HeartbeatLoopAsync(RunContext ctx, WorkScheduler scheduler, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(ctx.Options.HeartbeatInterval, ctx.Env.Time, cancellationToken).ConfigureAwait(false);
            try
            {
                var run = ctx.IsOwner
                    ? await ctx.UpdateRunAsync(r => r.OwnerPid == ctx.Env.Owner.Pid && r.OwnerHost == ctx.Env.Owner.Host ? r with { Heartbeat = ctx.Now } : null, cancellationToken).ConfigureAwait(false)
                    : await ctx.RefreshRunAsync(cancellationToken).ConfigureAwait(false);
                if (run.CancelRequested || run.Status == RunStatus.Cancelled)
                {
                    ctx.CancelRequested = true;
                    await ctx.Stop.CancelAsync().ConfigureAwait(false);
                }
                else if (ctx.IsOwner && (run.OwnerPid != ctx.Env.Owner.Pid || run.OwnerHost != ctx.Env.Owner.Host))
                {
                    ctx.OwnershipLost = true;
                    await ctx.Stop.CancelAsync().ConfigureAwait(false);
                }

                await scheduler.RenewLeasesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (StorageException)
            {
                // A missed heartbeat is retried at the next tick; the timeout is several ticks long.
            }
        }
    }
}
