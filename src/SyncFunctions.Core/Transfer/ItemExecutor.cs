using SyncFunctions.Abstractions;
using SyncFunctions.Core.InProcess;

namespace SyncFunctions.Core.Transfer;

/// <summary>
/// Executes one claimed work item: its actions (concurrently within the item), then one transaction for the
/// action rows, one for their baseline rows, the pruning of destination folders its deletes and moves emptied
/// (<see cref="FolderPruning"/>), and the item row. A crash between those steps is safe: done
/// actions are not redone, the baseline is re-applied from the action rows, and a write that landed just
/// before a crash is recognised by its hash.
/// </summary>
internal sealed class ItemExecutor(RunContext ctx)
{
    /// <summary>Claims of one item after which its remaining actions are recorded as Failed (a poison item).</summary>
    public const int MaxItemAttempts = 5;

    private readonly Transfers _transfers = new(ctx);
    private readonly FolderPruning _folders = new(ctx.Destination, ctx.Retry, ctx.Log);

    public async Task ExecuteAsync(ClaimedItem claim, CancellationToken cancellationToken)
    {
        var item = claim.Record;
        var actions = await ctx.Retry.ExecuteAsync(async ct => await ctx.Ledger.GetActionsAsync(ctx.RunId, item.ItemId, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var results = actions.ToArray();
        var heldBack = item.Kind == WorkItemKind.Deletes && ctx.Run.DeletesHeldBack;
        var poisoned = item.Attempts > MaxItemAttempts;

        var store = new ActionStore(ctx, claim);
        await Parallel.ForEachAsync(
            Enumerable.Range(0, results.Length),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, ctx.Options.Parallel), CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var a = results[i];
                if (a.Status is ActionStatus.Done or ActionStatus.Failed or ActionStatus.Skipped)
                {
                    return;
                }

                if (heldBack || poisoned)
                {
                    results[i] = heldBack ? HeldBack(a) : a with { Status = ActionStatus.Failed, LastError = $"gave up after {item.Attempts - 1} attempts of its work item" };
                }
                else
                {
                    await ctx.TransferSlots.WaitAsync(ct).ConfigureAwait(false);
                    try
                    {
                        // Writers keep the folders above their target from being pruned by another item meanwhile.
                        using var hold = a.Kind is ActionKind.Upload or ActionKind.Move
                            ? await _folders.HoldForWriteAsync(a.Path, ct).ConfigureAwait(false)
                            : null;
                        results[i] = await RunActionAsync(a, store, ct).ConfigureAwait(false);
                    }
                    finally
                    {
                        ctx.TransferSlots.Release();
                    }
                }

                ctx.ActionFinished(results[i].Status == ActionStatus.Done ? results[i].BytesDone : 0, a.Path);
            }).ConfigureAwait(false);

        // Large items wrote checkpoints: take their latest ETags before the final update.
        results = store.Merge(results);
        var changed = results.Where((r, i) => !ReferenceEquals(r, actions[i]) || r.Status == ActionStatus.Claimed).ToList();
        if (changed.Count > 0)
        {
            var stored = await ctx.Retry.ExecuteAsync(async ct => await ctx.Ledger.TryUpdateActionsAsync(changed, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                claim.Lost = true;
                Logs.ClaimLost(ctx.Log, item.ItemId);
                return;
            }
        }

        await ApplyBaselineAsync(results, cancellationToken).ConfigureAwait(false);

        // Before the item is Done, so a crash here prunes again when the item is reclaimed (pruning is idempotent).
        await _folders.PruneAfterAsync(results, cancellationToken).ConfigureAwait(false);
        await CompleteItemAsync(claim, results, cancellationToken).ConfigureAwait(false);
    }

    private static ActionRecord HeldBack(ActionRecord a) => a with
    {
        Status = ActionStatus.Skipped,
        LastError = "delete held back by --max-delete",
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
            return a with { Status = ActionStatus.Failed, LastError = $"{ex.Kind}: {ex.Message}" };
        }
    }

    private async Task<ActionRecord> DeleteAsync(ActionRecord a, CancellationToken cancellationToken)
    {
        var options = ctx.Options.Force ? WriteOptions.Unconditional : new WriteOptions(IfMatch: a.ExpectedDestETag);
        try
        {
            await ctx.Retry.ExecuteAsync(async ct => await ctx.Destination.DeleteAsync(a.Path, options, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return a with { Status = ActionStatus.Done, LastError = null };
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.PreconditionFailed)
        {
            return a with { Status = ActionStatus.Failed, LastError = "destination changed since the last sync; not deleted (use --force to delete anyway)" };
        }
    }

    private async Task ApplyBaselineAsync(ActionRecord[] results, CancellationToken cancellationToken)
    {
        var upserts = new List<BaselineEntry>();
        var deletes = new List<string>();
        foreach (var r in results.Where(r => r.Status == ActionStatus.Done))
        {
            if (r.Kind == ActionKind.Delete)
            {
                deletes.Add(r.Path);
            }
            else
            {
                if (r.Kind == ActionKind.Move && r.FromPath is { } from)
                {
                    deletes.Add(from);
                }

                upserts.Add(new BaselineEntry
                {
                    PairId = ctx.PairId,
                    Path = r.Path,
                    Size = r.SourceSize,
                    LastModified = r.SourceLastModified,
                    SourceVersion = r.SourceVersion,
                    Sha256 = r.SourceSha256,
                    SourceItemId = r.SourceItemId,
                    SourceParentId = r.SourceParentId,
                    DestETag = r.ResultDestETag,
                });
            }
        }

        if (upserts.Count > 0 || deletes.Count > 0)
        {
            await ctx.Retry.ExecuteAsync(async ct => await ctx.Ledger.ApplyBaselineAsync(ctx.PairId, upserts, deletes, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CompleteItemAsync(ClaimedItem claim, ActionRecord[] results, CancellationToken cancellationToken)
    {
        await claim.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var done = claim.Record with
            {
                Status = WorkStatus.Done,
                LeaseExpires = null,
                Succeeded = results.Count(r => r.Status == ActionStatus.Done),
                Failed = results.Count(r => r.Status == ActionStatus.Failed),
                Skipped = results.Count(r => r.Status == ActionStatus.Skipped),
                BytesDone = results.Where(r => r.Status == ActionStatus.Done).Sum(r => r.BytesDone),
            };
            var stored = await ctx.Retry.ExecuteAsync(async ct => await ctx.Ledger.TryUpdateWorkItemAsync(done, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                claim.Lost = true;
                Logs.ClaimLost(ctx.Log, claim.Record.ItemId);
                return;
            }

            claim.Record = stored;
        }
        finally
        {
            claim.Gate.Release();
        }
    }

    /// <summary>Holds the latest stored version of action rows that wrote checkpoints mid-transfer.</summary>
    private sealed class ActionStore(RunContext ctx, ClaimedItem claim)
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
                claim.Lost = true;
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
