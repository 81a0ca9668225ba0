using SyncFunctions.Abstractions;
using SyncFunctions.Core.Transfer;

namespace SyncFunctions.Core.Protocol;

public sealed partial class RunSteps
{
    /// <summary>
    /// Claims a work item by lease, transfers its actions (checkpointing large ones), commits its baseline rows and
    /// ends it. Chunk ranges and ranged large files go to <see cref="StageChunkRangeAsync"/> and
    /// <see cref="CommitLargeFileAsync"/>.
    /// </summary>
    /// <remarks>
    /// <para>Idempotent: a duplicate call finds the item done or held. A claim whose worker died (its lease ran out)
    /// is not a failure: the item is claimed again and resumes from its checkpoints. Only when it keeps dying without
    /// progress is its window halved, down to the one action that kills workers, which alone is given up.</para>
    /// <para>The token interrupts the call: the item is released with its checkpoints and any worker resumes it.</para>
    /// </remarks>
    public async Task<WorkItemResult> ExecuteWorkItemAsync(WorkRef work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var run = await LoadRunAsync(work.PairId, work.RunId, cancellationToken).ConfigureAwait(false);
        if (run.Status != RunStatus.Running)
        {
            return new WorkItemResult(WorkOutcome.AlreadyDone, Message: $"run {run.RunId} has ended ({run.Status})");
        }

        if (PlanGateClosed(run))
        {
            return new WorkItemResult(WorkOutcome.Waiting, Message: $"run {run.RunId} applies a previewed plan: nothing executes before its plan is complete and matches");
        }

        var item = await Ledger.GetWorkItemAsync(work.RunId, work.ItemId, cancellationToken).ConfigureAwait(false);
        if (item is null)
        {
            return new WorkItemResult(WorkOutcome.Waiting, Message: $"work item {work.ItemId} is not written yet");
        }

        switch (item.Kind)
        {
            case WorkItemKind.ChunkRange:
                return await StageChunkRangeAsync(work, cancellationToken).ConfigureAwait(false);
            case WorkItemKind.LargeFile when item.RangeCount > 0:
                return await CommitLargeFileAsync(work, cancellationToken).ConfigureAwait(false);
        }

        if (item.Status == WorkStatus.Done)
        {
            return new WorkItemResult(WorkOutcome.AlreadyDone);
        }

        if (WaitReason(run, item) is { } wait)
        {
            return new WorkItemResult(WorkOutcome.Waiting, Message: wait);
        }

        var ctx = ContextFor(run);
        var claimed = await TryClaimAsync(ctx, item, work, stagedBytes: null, cancellationToken).ConfigureAwait(false);
        if (claimed.Claim is not { } claim)
        {
            return new WorkItemResult(claimed.Outcome);
        }

        using (claim)
        {
            return await RunClaimedAsync(ctx, claim, token => new ItemExecutor(ctx, claim).ExecuteAsync(claimed.Actions, claimed.GiveUpFirst, giveUpReason: null, token), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A run that applies a previewed plan executes nothing until its plan is complete and its fingerprint compared
    /// (planning sets the cancel flag when it differs).
    /// </summary>
    internal static bool PlanGateClosed(RunRecord run) =>
        (!run.ObserveDone || run.CancelRequested) && StoredOptions.Restore(run.OptionsJson, new SyncOptions()).ExpectedPlan is not null;

    /// <summary>Why an item may not be claimed yet, or null.</summary>
    private string? WaitReason(RunRecord run, WorkItemRecord item)
    {
        if (IsChangeFeed && !run.ObserveDone)
        {
            // A change feed's plan is complete before anything executes, so planning again after a crash is exact.
            return "the run's change feed is still being planned";
        }

        return item.Kind == WorkItemKind.Deletes && !run.ObserveDone ? "deletes wait until the whole run is planned" : null;
    }

    /// <summary>
    /// Claims <paramref name="item"/> for the caller of <paramref name="work"/> by CAS. A claim taken from a worker
    /// whose lease ran out counts a death; deaths in a row without progress halve the item's window. A chunk range's
    /// progress is <paramref name="stagedBytes"/>, the bytes of its chunks found staged at the destination: its row
    /// records bytes only once it is done, so without them every death of a range would look like one without progress.
    /// </summary>
    /// <remarks>
    /// A process that dies takes every item it held with it, innocent or not. So stalling at a window of one does not
    /// give the file up: it isolates the item (<see cref="WorkItemRecord.Isolate"/>), and from then on a death while it
    /// ran alone (<see cref="WorkRef.Alone"/>) weighs <see cref="StepSettings.StallLimit"/>, a death next to other
    /// items 1; the file is given up at <see cref="StepSettings.StallLimit"/> squared. Progress clears it all.
    /// </remarks>
    internal async Task<(ClaimedItem? Claim, IReadOnlyList<ActionRecord> Actions, bool GiveUpFirst, WorkOutcome Outcome)> TryClaimAsync(StepContext ctx, WorkItemRecord item, WorkRef work, long? stagedBytes, CancellationToken cancellationToken)
    {
        var workerId = work.WorkerId;
        var current = item;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = ctx.Now;
            if (current.Status == WorkStatus.Done)
            {
                return (null, [], false, WorkOutcome.AlreadyDone);
            }

            if (current.Status == WorkStatus.Claimed && current.LeaseExpires > now && current.LeaseOwner != workerId)
            {
                return (null, [], false, WorkOutcome.Held);
            }

            var actions = current.Kind == WorkItemKind.ChunkRange ? [] : await Ledger.GetActionsAsync(ctx.RunId, current.ItemId, cancellationToken).ConfigureAwait(false);
            var progress = stagedBytes ?? ProgressOf(current, actions);
            var died = current.Status == WorkStatus.Claimed && current.LeaseOwner != workerId;
            var (stalled, window, isolate, giveUp) = Stall(ctx.Settings, current, died, progress, actions);

            var claimed = current with
            {
                Status = WorkStatus.Claimed,
                LeaseOwner = workerId,
                LeaseExpires = now + ctx.Settings.ItemLease,
                Attempts = current.Attempts + 1,
                Deaths = current.Deaths + (died ? 1 : 0),
                StalledDeaths = stalled,
                ProgressMark = progress,
                Window = window,
                Isolate = isolate,
                SoloClaim = work.Alone,
            };
            if (await Ledger.TryUpdateWorkItemAsync(claimed, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                return (new ClaimedItem(stored), actions, giveUp, WorkOutcome.Done);
            }

            current = await Ledger.GetWorkItemAsync(ctx.RunId, item.ItemId, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"work item {item.ItemId} disappeared");
        }

        return (null, [], false, WorkOutcome.Held);
    }

    /// <summary>What a claim makes of the item's deaths: its stall count, window, isolation, and whether to give its first open action up.</summary>
    private static (int Stalled, int Window, bool Isolate, bool GiveUp) Stall(StepSettings settings, WorkItemRecord current, bool died, long progress, IReadOnlyList<ActionRecord> actions)
    {
        if (!died)
        {
            return (current.StalledDeaths, current.Window, current.Isolate, false);
        }

        if (progress != current.ProgressMark)
        {
            return (0, current.Window, false, false);
        }

        var limit = settings.StallLimit;
        if (current.Isolate)
        {
            var weighed = current.StalledDeaths + (current.SoloClaim ? limit : 1);
            return weighed >= limit * limit ? (0, current.Window, false, true) : (weighed, current.Window, true, false);
        }

        var stalled = current.StalledDeaths + 1;
        if (stalled < limit)
        {
            return (stalled, current.Window, false, false);
        }

        var open = actions.Count(a => !ItemExecutor.IsEnded(a));
        var effective = current.Window == 0 ? open : Math.Min(current.Window, open);
        return effective <= 1 ? (0, current.Window, true, false) : (0, Math.Max(1, effective / 2), false, false);
    }

    /// <summary>How far an item got, as its ledger rows show it: ended actions and checkpointed bytes.</summary>
    internal static long ProgressOf(WorkItemRecord item, IReadOnlyList<ActionRecord> actions) =>
        item.Kind == WorkItemKind.ChunkRange
            ? item.BytesDone
            : (actions.Count(ItemExecutor.IsEnded) * (1L << 40)) + (actions.Sum(a => a.BytesDone) & ((1L << 40) - 1));

    /// <summary>
    /// Runs <paramref name="work"/> under the claim, renewing its lease; releases the item when the work did not end
    /// it: at once after an interrupt (no failure counted), or after an error (a failure counted).
    /// </summary>
    internal async Task<WorkItemResult> RunClaimedAsync(StepContext ctx, ClaimedItem claim, Func<CancellationToken, Task<WorkItemResult>> work, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, claim.LostToken);
        using var keeperStop = new CancellationTokenSource();
        var keeper = claim.KeepLeaseAsync(ctx, keeperStop.Token);
        try
        {
            return await work(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (claim.Lost)
        {
            return new WorkItemResult(WorkOutcome.Lost, Transferred: ctx.Transferred);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await ReleaseAsync(ctx, claim, failed: false).ConfigureAwait(false);
            return new WorkItemResult(WorkOutcome.Interrupted, Transferred: ctx.Transferred);
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.Authentication)
        {
            await ReleaseAsync(ctx, claim, failed: false).ConfigureAwait(false);
            throw;
        }
        catch (Exception ex) when (ex is StorageException or InvalidOperationException or IOException)
        {
            // Retried by the next claim; given up after repeated failures (attempts are counted on the item).
            ctx.Log.LogItemError(claim.Record.ItemId, ex.Message);
            await ReleaseAsync(ctx, claim, failed: true).ConfigureAwait(false);
            return new WorkItemResult(WorkOutcome.Errored, Transferred: ctx.Transferred, Message: ex.Message);
        }
        finally
        {
            await keeperStop.CancelAsync().ConfigureAwait(false);
            await keeper.ConfigureAwait(false);
        }
    }

    /// <summary>Gives an unfinished item back so any worker can resume it at once (its lease would expire anyway).</summary>
    private static async Task ReleaseAsync(StepContext ctx, ClaimedItem claim, bool failed)
    {
        if (claim.Lost || claim.Record.Status != WorkStatus.Claimed)
        {
            return;
        }

        // The caller's token may be cancelled already: releasing is what saves the item, so it gets a time of its own.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30), ctx.Env.Time);
        try
        {
            await claim.Gate.WaitAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                var released = claim.Record with
                {
                    Status = WorkStatus.Pending,
                    LeaseOwner = null,
                    LeaseExpires = null,
                    Failures = claim.Record.Failures + (failed ? 1 : 0),
                };
                if (await ctx.Ledger.TryUpdateWorkItemAsync(released, timeout.Token).ConfigureAwait(false) is { } stored)
                {
                    claim.Record = stored;
                }
            }
            finally
            {
                claim.Gate.Release();
            }
        }
        catch (Exception ex) when (ex is StorageException or OperationCanceledException)
        {
            // The lease expires by itself; nothing is lost.
        }
    }
}
