using SyncFunctions.Abstractions;
using SyncFunctions.Core.Transfer;

namespace SyncFunctions.Core.InProcess;

/// <summary>
/// The workers of one process: claim items by CAS with a lease, execute them, renew leases, and find work
/// held by nobody (new items, expired leases, a dead owner's claims) by scanning the run's item rows.
/// Small items come first; at most half of the workers take large files, so large files never block small
/// ones; deletes wait until every other item of the run is done.
/// </summary>
internal sealed class WorkScheduler(RunContext ctx)
{
    /// <summary>How often an idle process re-reads the item rows when other workers hold the remaining work.</summary>
    public static readonly TimeSpan RescanInterval = TimeSpan.FromSeconds(2);

    private readonly ItemExecutor _executor = new(ctx);
    private readonly object _scanGate = new();
    private int _largeActive;
    private Task? _scan;
    private Exception? _fatal;

    private int LargeLimit => Math.Max(1, ctx.Options.Parallel / 2);

    /// <summary>Runs the workers until the run's work is done, or the stop token fires.</summary>
    /// <param name="observeDone">True once every work item of the run has been written (owner: its observer
    /// finished; joiner: the run row says so, refreshed by scans).</param>
    /// <param name="stop">Interrupt, cancel or lost ownership.</param>
    public async Task RunAsync(Func<bool> observeDone, CancellationToken stop)
    {
        var workers = Enumerable.Range(0, ctx.Options.Parallel).Select(_ => Task.Run(() => WorkerLoopAsync(observeDone, stop), CancellationToken.None)).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        if (_fatal is not null)
        {
            throw _fatal;
        }
    }

    /// <summary>Reads every item row of the run and tracks those not done. Returns the not-done count.</summary>
    public async Task<int> ScanAsync(CancellationToken cancellationToken)
    {
        if (!ctx.IsOwner && !ctx.Run.ObserveDone)
        {
            await ctx.RefreshRunAsync(cancellationToken).ConfigureAwait(false);
        }

        var now = ctx.Now;
        var notDone = 0;
        await foreach (var item in ctx.Ledger.ListWorkItemsAsync(ctx.RunId, cancellationToken).ConfigureAwait(false))
        {
            if (item.Status == WorkStatus.Done)
            {
                ctx.Queue.MarkDone(item.ItemId);
                continue;
            }

            notDone++;
            if (ctx.Queue.IsQueuedOrRunning(item.ItemId))
            {
                continue;
            }

            var claimable = item.Status == WorkStatus.Pending || item.LeaseExpires is null || item.LeaseExpires <= now;
            ctx.Queue.Track(item, claimable);
        }

        return notDone;
    }

    private async Task WorkerLoopAsync(Func<bool> observeDone, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && _fatal is null)
        {
            var wait = ctx.Queue.WaitAsync();
            var observed = observeDone();
            var deletesAllowed = observed && ctx.Queue.OutstandingNonDelete == 0;
            var allowLarge = Volatile.Read(ref _largeActive) < LargeLimit;
            var item = ctx.Queue.TryTake(allowLarge, deletesAllowed);
            if (item is not null)
            {
                await ProcessAsync(item, stop).ConfigureAwait(false);
                continue;
            }

            if (observed && ctx.Queue.Outstanding == 0)
            {
                // The owner tracks every unfinished item (it wrote them, or scanned them when it resumed), so
                // nothing outstanding means done; a joiner confirms against the ledger.
                if (ctx.IsOwner || await ScanOnceAsync(stop).ConfigureAwait(false) == 0)
                {
                    ctx.Queue.Pulse();
                    return;
                }

                continue;
            }

            // Nothing claimable here: wait for new items, a finished item, or the rescan timer
            // (other processes may hold the rest, or their leases may expire).
            var timer = Task.Delay(RescanInterval, ctx.Env.Time, stop);
            var first = await Task.WhenAny(wait, timer).ConfigureAwait(false);
            if (first == timer && !stop.IsCancellationRequested && (observed || !ctx.IsOwner))
            {
                await ScanOnceAsync(stop).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One scan at a time per process; concurrent callers share it.</summary>
    private async Task<int> ScanOnceAsync(CancellationToken stop)
    {
        Task<int> scan;
        lock (_scanGate)
        {
            if (_scan is Task<int> running && !running.IsCompleted)
            {
                scan = running;
            }
            else
            {
                scan = ctx.Retry.ExecuteAsync(async ct => await ScanAsync(ct).ConfigureAwait(false), stop).AsTask();
                _scan = scan;
            }
        }

        try
        {
            return await scan.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return -1;
        }
    }

    private async Task ProcessAsync(WorkItemRecord item, CancellationToken stop)
    {
        var large = item.Kind == WorkItemKind.LargeFile;
        if (large)
        {
            Interlocked.Increment(ref _largeActive);
        }

        ClaimedItem? claim = null;
        try
        {
            claim = await TryClaimAsync(item, stop).ConfigureAwait(false);
            if (claim is null)
            {
                return;
            }

            await _executor.ExecuteAsync(claim, stop).ConfigureAwait(false);
            if (!claim.Lost)
            {
                ctx.Queue.MarkDone(item.ItemId);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Interrupted or cancelled: the claim is released below and the item resumes from its checkpoint.
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.Authentication)
        {
            _fatal ??= ex;
            ctx.Stop.Cancel();
        }
        catch (Exception ex) when (ex is StorageException or InvalidOperationException)
        {
            // The item stays claimed until its lease expires, then any worker retries it (attempts are counted).
            ctx.Log.LogItemError(item.ItemId, ex.Message);
        }
        finally
        {
            if (large)
            {
                Interlocked.Decrement(ref _largeActive);
            }

            if (claim is not null)
            {
                ctx.Claims.TryRemove(item.ItemId, out _);
                if (claim.Record.Status != WorkStatus.Done && !claim.Lost)
                {
                    await ReleaseAsync(claim).ConfigureAwait(false);
                }
            }

            ctx.Queue.Release(item.ItemId);
        }
    }

    private async Task<ClaimedItem?> TryClaimAsync(WorkItemRecord item, CancellationToken stop)
    {
        var current = item;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var now = ctx.Now;
            if (current.Status == WorkStatus.Done)
            {
                ctx.Queue.MarkDone(current.ItemId);
                return null;
            }

            if (current.Status == WorkStatus.Claimed && current.LeaseExpires > now && current.LeaseOwner != ctx.WorkerId)
            {
                return null;
            }

            var claimed = current with
            {
                Status = WorkStatus.Claimed,
                LeaseOwner = ctx.WorkerId,
                LeaseExpires = now + ctx.Options.LeaseDuration,
                Attempts = current.Attempts + 1,
            };
            var stored = await ctx.Retry.ExecuteAsync(async ct => await ctx.Ledger.TryUpdateWorkItemAsync(claimed, ct).ConfigureAwait(false), stop).ConfigureAwait(false);
            if (stored is not null)
            {
                var claim = new ClaimedItem(stored);
                ctx.Claims[stored.ItemId] = claim;
                return claim;
            }

            current = await ctx.Retry.ExecuteAsync(async ct => await ctx.Ledger.GetWorkItemAsync(ctx.RunId, item.ItemId, ct).ConfigureAwait(false), stop).ConfigureAwait(false);
            if (current is null)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>Gives an unfinished item back (interrupt, cancel, error) so any worker can resume it at once.</summary>
    private async Task ReleaseAsync(ClaimedItem claim)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await claim.Gate.WaitAsync(timeout.Token).ConfigureAwait(false);
        try
        {
            var released = claim.Record with { Status = WorkStatus.Pending, LeaseOwner = null, LeaseExpires = null };
            var stored = await ctx.Ledger.TryUpdateWorkItemAsync(released, timeout.Token).ConfigureAwait(false);
            if (stored is not null)
            {
                claim.Record = stored;
            }
        }
        catch (Exception ex) when (ex is StorageException or OperationCanceledException)
        {
            // The lease expires by itself; nothing is lost.
        }
        finally
        {
            claim.Gate.Release();
        }
    }

    /// <summary>Extends the leases of held items that are past a third of their duration.</summary>
    public async Task RenewLeasesAsync(CancellationToken cancellationToken)
    {
        var now = ctx.Now;
        foreach (var claim in ctx.Claims.Values)
        {
            if (claim.Record.LeaseExpires is { } expires && expires - now > ctx.Options.LeaseDuration * 2 / 3)
            {
                continue;
            }

            await claim.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (claim.Record.Status != WorkStatus.Claimed)
                {
                    continue;
                }

                var renewed = claim.Record with { LeaseExpires = now + ctx.Options.LeaseDuration };
                var stored = await ctx.Ledger.TryUpdateWorkItemAsync(renewed, cancellationToken).ConfigureAwait(false);
                if (stored is null)
                {
                    claim.Lost = true;
                    Logs.ClaimLost(ctx.Log, claim.Record.ItemId);
                }
                else
                {
                    claim.Record = stored;
                }
            }
            finally
            {
                claim.Gate.Release();
            }
        }
    }
}
