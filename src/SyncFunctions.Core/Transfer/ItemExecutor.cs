using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.Transfer;

/// <summary>
/// Executes a claimed work item: the unfinished actions of its window (folder moves first, one after the other; the
/// rest concurrently), then one transaction for the action rows, one for their baseline rows (a folder move re-keys
/// the rows below it while it runs), the pruning of destination folders its deletes and moves emptied
/// (<see cref="FolderPruning"/>), and the item row: Done when every action has ended, else Pending again for the
/// rest. A crash between those steps is safe: ended actions are not redone, the baseline is re-applied from the
/// action rows, and a write that landed just before a crash is recognised by its hash.
/// </summary>
internal sealed class ItemExecutor(StepContext ctx, ClaimedItem claim)
{
    private readonly Transfers _transfers = new(ctx) { CommitStagedRanges = claim.Record.RangeCount > 0 };

    /// <param name="actions">Every action of the item, in id order.</param>
    /// <param name="giveUpFirst">The item stalled at a window of one: its first unfinished action is the one that kills workers.</param>
    /// <param name="giveUpReason">Why the first unfinished action is given up, when not for its own item's deaths (a ranged file's range died).</param>
    /// <param name="cancellationToken">Interrupt or lost claim.</param>
    public async Task<WorkItemResult> ExecuteAsync(IReadOnlyList<ActionRecord> actions, bool giveUpFirst, string? giveUpReason, CancellationToken cancellationToken)
    {
        var item = claim.Record;
        var results = actions.ToArray();
        var open = Enumerable.Range(0, results.Length).Where(i => !IsEnded(results[i])).ToList();
        var window = item.Window > 0 ? open.Take(item.Window).ToList() : open;
        var heldBack = item.Kind == WorkItemKind.Deletes && ctx.Run.DeletesHeldBack;
        var poisoned = item.Failures >= ctx.Settings.MaxItemFailures;
        if (giveUpFirst && window.Count > 0)
        {
            var i = window[0];
            results[i] = results[i] with
            {
                Status = ActionStatus.Failed,
                LastError = giveUpReason ?? $"gave up: the worker transferring it died {item.Deaths} times without progress, also with the file isolated",
            };
            window = window.Skip(1).ToList();
        }

        var store = new ActionStore(ctx, claim);
        Func<ActionRecord, ActionRecord>? giveUp = heldBack ? HeldBack
            : poisoned ? a => a with { Status = ActionStatus.Failed, LastError = $"gave up after {item.Failures} failed attempts of its work item" }
            : null;
        await RunWindowAsync(results, window, store, giveUp, cancellationToken).ConfigureAwait(false);

        // Large items wrote checkpoints: take their latest ETags before the final update.
        results = store.Merge(results);
        var changed = results.Where((r, i) => !ReferenceEquals(r, actions[i])).ToList();
        if (changed.Count > 0 && await ctx.Ledger.TryUpdateActionsAsync(changed, cancellationToken).ConfigureAwait(false) is null)
        {
            Logs.ClaimLost(ctx.Log, item.ItemId);
            claim.MarkLost();
            return new WorkItemResult(WorkOutcome.Lost, Transferred: ctx.Transferred);
        }

        // A claim cut short after the action rows but before the baseline left Done actions without their rows: a
        // resumed item re-applies every Done action (upserts by path: idempotent), a fresh one only what it changed.
        var resumed = open.Count < results.Length;
        await BaselineWriter.ApplyAsync(ctx, resumed ? results : changed, cancellationToken).ConfigureAwait(false);

        // Before the item row moves, so a crash here prunes again when the item is reclaimed (pruning is idempotent).
        await ctx.Resources.Folders.PruneAfterAsync(changed, cancellationToken).ConfigureAwait(false);
        return await CompleteAsync(results, changed, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the actions of <paramref name="window"/> into <paramref name="results"/>: folder moves first, one after the
    /// other in plan order (a later one may start inside an earlier one's target), then the rest concurrently.
    /// </summary>
    /// <param name="results">The item's actions, replaced by their outcomes.</param>
    /// <param name="window">Indexes of the actions to run, in id order.</param>
    /// <param name="store">Keeps the checkpoints the actions write.</param>
    /// <param name="giveUp">When set, each action ends with its result instead of running (held-back deletes, a poisoned item).</param>
    /// <param name="cancellationToken">Interrupt or lost claim.</param>
    private async Task RunWindowAsync(ActionRecord[] results, List<int> window, ActionStore store, Func<ActionRecord, ActionRecord>? giveUp, CancellationToken cancellationToken)
    {
        async ValueTask RunOneAsync(int i, CancellationToken ct)
        {
            var a = results[i];
            if (giveUp is not null)
            {
                results[i] = giveUp(a);
            }
            else
            {
                await ctx.Resources.TransferSlots.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    // Writers keep the folders above their target from being pruned by another item meanwhile.
                    using var hold = a.Kind is ActionKind.Upload or ActionKind.Move or ActionKind.MoveFolder
                        ? await ctx.Resources.Folders.HoldForWriteAsync(a.Path, ct).ConfigureAwait(false)
                        : null;
                    results[i] = await RunActionAsync(a, store, ct).ConfigureAwait(false);
                }
                finally
                {
                    ctx.Resources.TransferSlots.Release();
                }
            }

            ctx.ActionEnded(results[i].Status == ActionStatus.Done ? results[i].BytesDone : 0, a.Path);
        }

        var folderMoves = window.Where(i => results[i].Kind == ActionKind.MoveFolder).ToList();
        foreach (var i in folderMoves)
        {
            await RunOneAsync(i, cancellationToken).ConfigureAwait(false);
        }

        await Parallel.ForEachAsync(
            window.Except(folderMoves),
            new ParallelOptions { MaxDegreeOfParallelism = ctx.Resources.Parallel, CancellationToken = cancellationToken },
            RunOneAsync).ConfigureAwait(false);
    }

    public static bool IsEnded(ActionRecord a) => a.Status is ActionStatus.Done or ActionStatus.Failed or ActionStatus.Skipped;

    private static ActionRecord HeldBack(ActionRecord a) => a with
    {
        Status = ActionStatus.Skipped,
        LastError = "delete held back by the delete limit",
    };

    private async Task<ActionRecord> RunActionAsync(ActionRecord a, ActionStore store, CancellationToken cancellationToken)
    {
        a = a with { Attempts = a.Attempts + 1 };
        try
        {
            var result = a.Kind switch
            {
                ActionKind.Delete => await DeleteAsync(a, cancellationToken).ConfigureAwait(false),
                ActionKind.Move => await _transfers.MoveAsync(a, store.CheckpointAsync, cancellationToken).ConfigureAwait(false),
                ActionKind.MoveFolder => await _transfers.MoveFolderAsync(a, store.CheckpointAsync, cancellationToken).ConfigureAwait(false),
                ActionKind.UpdateBaseline => a with { Status = ActionStatus.Done, ResultDestETag = a.ExpectedDestETag ?? a.DestinationETag },
                _ => await _transfers.UploadAsync(a, store.CheckpointAsync, cancellationToken).ConfigureAwait(false),
            };
            if (result.Status == ActionStatus.Failed)
            {
                Logs.ActionFailed(ctx.Log, a.Path, result.LastError ?? "failed");
            }
            else
            {
                Logs.ActionDone(ctx.Log, a.Kind.ToString(), a.Path);
            }

            return result;
        }
        catch (StorageException) when (a.Kind == ActionKind.MoveFolder)
        {
            // Not a failure of the action: the folder moved, or not, and its rows are half re-keyed. The item is
            // retried whole (the action's checkpoint says whether the folder moved).
            throw;
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.NotFound && a.Kind != ActionKind.Delete)
        {
            return a with { Status = ActionStatus.Skipped, LastError = "vanished from the source since it was listed" };
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.InvalidName)
        {
            // A name the destination cannot hold: skipped with the reason (every run lists it again), not a failure.
            return a with { Status = ActionStatus.Skipped, LastError = ex.Message };
        }
        catch (StorageException ex) when (ex.Kind != StorageErrorKind.Authentication)
        {
            Logs.ActionFailed(ctx.Log, a.Path, ex.Message);
            return a with { Status = ActionStatus.Failed, LastError = FailureText(ex) };
        }
    }

    /// <summary>The reason a failed action keeps: what went wrong, in words (retryable kinds were retried already).</summary>
    internal static string FailureText(StorageException ex) => ex.Kind switch
    {
        StorageErrorKind.Transient or StorageErrorKind.Throttled or StorageErrorKind.Unreachable => $"{ex.Message} (still failing after retries)",
        StorageErrorKind.Permanent => ex.Message,
        _ => $"{ex.Kind}: {ex.Message}",
    };

    private async Task<ActionRecord> DeleteAsync(ActionRecord a, CancellationToken cancellationToken)
    {
        var options = ctx.Options.Force ? WriteOptions.Unconditional : new WriteOptions(IfMatch: a.ExpectedDestETag);
        try
        {
            await ctx.Destination.DeleteAsync(a.Path, options, cancellationToken).ConfigureAwait(false);
            return a with { Status = ActionStatus.Done, LastError = null };
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.PreconditionFailed)
        {
            return a with { Status = ActionStatus.Failed, LastError = "destination changed since the last sync; not deleted (a forced run deletes it anyway)" };
        }
    }

    private async Task<WorkItemResult> CompleteAsync(ActionRecord[] results, List<ActionRecord> changed, CancellationToken cancellationToken)
    {
        var all = results.All(IsEnded);
        await claim.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var next = all
                ? claim.Record with
                {
                    Status = WorkStatus.Done,
                    LeaseExpires = null,
                    Succeeded = results.Count(r => r.Status == ActionStatus.Done),
                    Failed = results.Count(r => r.Status == ActionStatus.Failed),
                    Skipped = results.Count(r => r.Status == ActionStatus.Skipped),
                    BytesDone = results.Where(r => r.Status == ActionStatus.Done).Sum(r => r.BytesDone),
                }
                : claim.Record with { Status = WorkStatus.Pending, LeaseOwner = null, LeaseExpires = null, StalledDeaths = 0, Isolate = false };
            var stored = await ctx.Ledger.TryUpdateWorkItemAsync(next, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                Logs.ClaimLost(ctx.Log, claim.Record.ItemId);
                claim.MarkLost();
                return new WorkItemResult(WorkOutcome.Lost, Transferred: ctx.Transferred);
            }

            claim.Record = stored;
        }
        finally
        {
            claim.Gate.Release();
        }

        return new WorkItemResult(
            all ? WorkOutcome.Done : WorkOutcome.Continued,
            changed.Count(r => r.Status == ActionStatus.Done),
            changed.Count(r => r.Status == ActionStatus.Failed),
            changed.Count(r => r.Status == ActionStatus.Skipped),
            ctx.Transferred);
    }

    /// <summary>Holds the latest stored version of action rows that wrote checkpoints mid-transfer.</summary>
    private sealed class ActionStore(StepContext ctx, ClaimedItem claim)
    {
        private readonly Dictionary<string, ActionRecord> _latest = new(StringComparer.Ordinal);

        public async Task<ActionRecord> CheckpointAsync(ActionRecord action, CancellationToken cancellationToken)
        {
            var row = action with { Status = ActionStatus.Claimed };
            lock (_latest)
            {
                if (_latest.TryGetValue(action.ActionId, out var prev))
                {
                    row = row with { ETag = prev.ETag };
                }
            }

            var stored = await ctx.Ledger.TryUpdateActionsAsync([row], cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                claim.MarkLost();
                throw new OperationCanceledException($"lost the claim on work item {claim.Record.ItemId}");
            }

            lock (_latest)
            {
                _latest[action.ActionId] = stored[0];
            }

            return action with { ETag = stored[0].ETag };
        }

        public ActionRecord[] Merge(ActionRecord[] results)
        {
            lock (_latest)
            {
                return results.Select(r => _latest.TryGetValue(r.ActionId, out var s) ? r with { ETag = s.ETag } : r).ToArray();
            }
        }
    }
}
