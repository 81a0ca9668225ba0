using SyncFunctions.Abstractions;
using SyncFunctions.Core.Planning;
using SyncFunctions.Core.Transfer;

namespace SyncFunctions.Core.Protocol;

public sealed partial class RunSteps
{
    /// <summary>
    /// Stages one chunk range of a large file (claimed by lease like any item); says when it was the last of the
    /// file's ranges, so the driver commits the file next. Chunks staged already (by a worker that died) are reused.
    /// </summary>
    public async Task<WorkItemResult> StageChunkRangeAsync(WorkRef work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var run = await LoadRunAsync(work.PairId, work.RunId, cancellationToken).ConfigureAwait(false);
        var range = await Ledger.GetWorkItemAsync(work.RunId, work.ItemId, cancellationToken).ConfigureAwait(false);
        if (run.Status != RunStatus.Running || range is null || range.Kind != WorkItemKind.ChunkRange || range.ParentItemId is not { } parentId)
        {
            return new WorkItemResult(WorkOutcome.AlreadyDone, Message: $"{work.ItemId} is not a chunk range of a running run");
        }

        if (range.Status == WorkStatus.Done)
        {
            return new WorkItemResult(WorkOutcome.AlreadyDone, CommitReady: await AllRangesDoneAsync(work.RunId, parentId, cancellationToken).ConfigureAwait(false) ? parentId : null);
        }

        if (WaitReason(run, range) is { } wait)
        {
            return new WorkItemResult(WorkOutcome.Waiting, Message: wait);
        }

        var actions = await Ledger.GetActionsAsync(work.RunId, parentId, cancellationToken).ConfigureAwait(false);
        if (actions.Count != 1 || ItemExecutor.IsEnded(actions[0]))
        {
            return new WorkItemResult(WorkOutcome.AlreadyDone);
        }

        var ctx = ContextFor(run);
        var transfers = new Transfers(ctx);

        // What earlier claims staged is the range's progress (its row holds no bytes until it is done).
        var staged = await transfers.StagedChunksAsync(actions[0], cancellationToken).ConfigureAwait(false);
        var stagedBytes = await transfers.StagedBytesOfRangeAsync(actions[0], range.RangeIndex, staged, cancellationToken).ConfigureAwait(false);
        var claimed = await TryClaimAsync(ctx, range, work, stagedBytes, cancellationToken).ConfigureAwait(false);
        if (claimed.Claim is not { } claim)
        {
            return new WorkItemResult(claimed.Outcome);
        }

        using (claim)
        {
            var result = await RunClaimedAsync(
                ctx,
                claim,
                async token =>
                {
                    var failed = claimed.GiveUpFirst;
                    var bytes = failed ? 0 : await transfers.StageRangeAsync(actions[0], range.RangeIndex, staged, token).ConfigureAwait(false);
                    return await EndRangeAsync(ctx, claim, bytes, failed, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            return result.Outcome == WorkOutcome.Done && await AllRangesDoneAsync(work.RunId, parentId, cancellationToken).ConfigureAwait(false)
                ? result with { CommitReady = parentId }
                : result;
        }
    }

    /// <summary>
    /// Commits a large file once every one of its chunk ranges is done: one block-list commit with the write's
    /// condition, the action's row, its baseline row, the item. Ranges whose chunks are gone are staged again first.
    /// </summary>
    public async Task<WorkItemResult> CommitLargeFileAsync(WorkRef work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var run = await LoadRunAsync(work.PairId, work.RunId, cancellationToken).ConfigureAwait(false);
        var item = await Ledger.GetWorkItemAsync(work.RunId, work.ItemId, cancellationToken).ConfigureAwait(false);
        if (run.Status != RunStatus.Running || item is null || item.Status == WorkStatus.Done)
        {
            return new WorkItemResult(WorkOutcome.AlreadyDone);
        }

        var ranges = await RangesOfAsync(work.RunId, item.ItemId, cancellationToken).ConfigureAwait(false);
        if (ranges.Any(r => r.Status != WorkStatus.Done))
        {
            return new WorkItemResult(WorkOutcome.NotReady, Message: $"{ranges.Count(r => r.Status != WorkStatus.Done)} of {ranges.Count} chunk ranges are not staged yet");
        }

        var ctx = ContextFor(run);
        var claimed = await TryClaimAsync(ctx, item, work, stagedBytes: null, cancellationToken).ConfigureAwait(false);
        if (claimed.Claim is not { } claim)
        {
            return new WorkItemResult(claimed.Outcome);
        }

        using (claim)
        {
            // A range that kept killing its workers: the file is given up, with the reason (stored on its action row).
            var giveUp = ranges.FirstOrDefault(r => r.Failed > 0) is { } dead
                ? $"gave up: the workers staging chunk range {dead.RangeIndex} died {dead.Deaths} times without staging a chunk, also with the range isolated"
                : null;
            try
            {
                return await RunClaimedAsync(ctx, claim, token => new ItemExecutor(ctx, claim).ExecuteAsync(claimed.Actions, claimed.GiveUpFirst || giveUp is not null, giveUp, token), cancellationToken).ConfigureAwait(false);
            }
            catch (ChunksMissingException missing)
            {
                await RestageAsync(ranges, missing.Ranges, cancellationToken).ConfigureAwait(false);
                await ReleaseAsync(ctx, claim, failed: false).ConfigureAwait(false);
                return new WorkItemResult(WorkOutcome.NotReady, Message: $"{missing.Ranges.Count} chunk ranges lost their staged chunks and are staged again");
            }
        }
    }

    private async Task<WorkItemResult> EndRangeAsync(StepContext ctx, ClaimedItem claim, long bytes, bool failed, CancellationToken cancellationToken)
    {
        await claim.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var done = claim.Record with { Status = WorkStatus.Done, LeaseExpires = null, BytesDone = bytes, Failed = failed ? 1 : 0 };
            if (await Ledger.TryUpdateWorkItemAsync(done, cancellationToken).ConfigureAwait(false) is not { } stored)
            {
                claim.MarkLost();
                return new WorkItemResult(WorkOutcome.Lost, Transferred: ctx.Transferred);
            }

            claim.Record = stored;
            return new WorkItemResult(WorkOutcome.Done, Transferred: ctx.Transferred);
        }
        finally
        {
            claim.Gate.Release();
        }
    }

    private async Task<List<WorkItemRecord>> RangesOfAsync(string runId, string parentItemId, CancellationToken cancellationToken)
    {
        var (from, to) = WorkItemShapes.RangeKeys(parentItemId);
        var ranges = new List<WorkItemRecord>();
        await foreach (var r in Ledger.ListWorkItemRangeAsync(runId, from, to, cancellationToken).ConfigureAwait(false))
        {
            ranges.Add(r);
        }

        return ranges;
    }

    private async Task<bool> AllRangesDoneAsync(string runId, string parentItemId, CancellationToken cancellationToken) =>
        (await RangesOfAsync(runId, parentItemId, cancellationToken).ConfigureAwait(false)).All(r => r.Status == WorkStatus.Done);

    private async Task RestageAsync(List<WorkItemRecord> ranges, IReadOnlyList<int> indexes, CancellationToken cancellationToken)
    {
        foreach (var r in ranges.Where(r => indexes.Contains(r.RangeIndex)))
        {
            await Ledger.TryUpdateWorkItemAsync(r with { Status = WorkStatus.Pending, LeaseOwner = null, LeaseExpires = null, BytesDone = 0 }, cancellationToken).ConfigureAwait(false);
        }
    }
}
