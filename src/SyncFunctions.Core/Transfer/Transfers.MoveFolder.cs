using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.Transfer;

internal sealed partial class Transfers
{
    /// <summary>The checkpoint of a folder move whose destination operation is done (only the baseline is left).</summary>
    internal const string FolderMovedCheckpoint = "folder moved";

    /// <summary>Baseline rows re-keyed per ledger write (one transaction for the upserts, one for the deletes).</summary>
    private const int RekeyBatch = 100;

    /// <summary>
    /// A renamed or moved source folder: one <see cref="IServerSideFolderMove"/> of the destination folder, then its
    /// baseline rows re-keyed to the new path. No content is transferred.
    /// </summary>
    /// <remarks>
    /// <para>The re-keying happens here, while the item runs (not in <see cref="BaselineWriter"/>): the rows below the
    /// folder are not in the plan. After the destination operation a checkpoint records it, so a claim cut short in
    /// the middle of the re-keying resumes with the rows still under the old path and does not move again.</para>
    /// <para>When the folder cannot be moved in one operation (nothing at the old path, something at the new one, a
    /// permanent refusal), the files below are moved one by one (<see cref="MoveFilesBelowAsync"/>). That also covers a
    /// claim cut short between the destination operation and its checkpoint: the files are found at their new paths.</para>
    /// <para>Other failures escape the item, which is retried as a whole (a folder move is never half-failed).</para>
    /// </remarks>
    public async Task<ActionRecord> MoveFolderAsync(ActionRecord a, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        var from = a.FromPath ?? throw new InvalidOperationException($"folder move to '{a.Path}' without a source path");
        if (a.Checkpoint != FolderMovedCheckpoint)
        {
            if (ctx.Destination.GetCapability<IServerSideFolderMove>() is not { } mover)
            {
                return await MoveFilesBelowAsync(a, from, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await mover.MoveFolderAsync(from, a.Path, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageException ex) when (ex.Kind is StorageErrorKind.NotFound or StorageErrorKind.PreconditionFailed or StorageErrorKind.Permanent or StorageErrorKind.InvalidName)
            {
                Logs.FolderMoveFallback(ctx.Log, from, a.Path, ex.Message);
                return await MoveFilesBelowAsync(a, from, cancellationToken).ConfigureAwait(false);
            }

            a = await checkpoint(a with { Checkpoint = FolderMovedCheckpoint }, cancellationToken).ConfigureAwait(false);
        }

        var rows = await RekeyBelowAsync(from, a.Path, cancellationToken).ConfigureAwait(false);
        Logs.FolderMoved(ctx.Log, from, a.Path, rows);
        return Done(a, null, null, 0) with { Checkpoint = null };
    }

    /// <summary>Moves every baseline row under <paramref name="from"/> to the same relative path under <paramref name="to"/>, in batches.</summary>
    /// <returns>The rows moved.</returns>
    private async Task<long> RekeyBelowAsync(string from, string to, CancellationToken cancellationToken)
    {
        var batch = new RekeyBatcher(ctx);

        // Rows are removed behind the query's cursor only (keys under the old path, ordinal order): the listing goes on.
        await foreach (var row in ctx.Ledger.ListBaselineUnderAsync(ctx.PairId, from, cancellationToken).ConfigureAwait(false))
        {
            await batch.AddAsync(row with { Path = ChangePathBase(row.Path, from, to) }, row.Path, cancellationToken).ConfigureAwait(false);
        }

        await batch.FlushAsync(cancellationToken).ConfigureAwait(false);
        return batch.Moved;
    }

    /// <summary>
    /// The fallback of a folder move: each synced file below <paramref name="from"/> is moved on its own (found at
    /// its new path already with the recorded version: taken as moved; else <see cref="MoveAsync"/>, which transfers
    /// the content when the destination lost it). Each moved file's baseline row is re-keyed at once.
    /// </summary>
    /// <remarks>
    /// A file that cannot be moved keeps its row at the old path and goes into the pair's carry-over set at its new
    /// path, so the next run transfers it like any failed move; the action then fails with the count and the first
    /// reason. A file gone from both the source and the destination loses its row.
    /// </remarks>
    private async Task<ActionRecord> MoveFilesBelowAsync(ActionRecord a, string from, CancellationToken cancellationToken)
    {
        var batch = new RekeyBatcher(ctx);
        var failures = new List<CarryOverEntry>();
        var gate = new object();
        await Parallel.ForEachAsync(
            ctx.Ledger.ListBaselineUnderAsync(ctx.PairId, from, cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = ctx.Resources.Parallel, CancellationToken = cancellationToken },
            async (row, ct) =>
            {
                var target = ChangePathBase(row.Path, from, a.Path);
                var (moved, error) = await MoveOneBelowAsync(a, row, target, ct).ConfigureAwait(false);
                if (error is not null)
                {
                    lock (gate)
                    {
                        failures.Add(new CarryOverEntry { PairId = ctx.PairId, Path = target, Reason = CarryOverReason.Failed, Message = error, RunId = ctx.RunId, Since = ctx.Now });
                    }

                    return;
                }

                await batch.AddAsync(moved, row.Path, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
        await batch.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (failures.Count == 0)
        {
            return Done(a, null, null, 0) with { Checkpoint = null };
        }

        // Kept by the finalizer (entries of this run), re-planned by the next run at their new paths.
        var ordered = failures.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        await ctx.Ledger.ApplyCarryOverAsync(ctx.PairId, ordered, [], cancellationToken).ConfigureAwait(false);
        return a with
        {
            Status = ActionStatus.Failed,
            Checkpoint = null,
            LastError = $"{ordered.Count} files below '{from}' could not be moved and are carried over to the next run; the first: '{ordered[0].Path}': {ordered[0].Message}",
        };
    }

    /// <summary>One file of <see cref="MoveFilesBelowAsync"/>: its row at the new path (null: drop it), or why it was not moved.</summary>
    private async Task<(BaselineEntry? Moved, string? Error)> MoveOneBelowAsync(ActionRecord folder, BaselineEntry row, string target, CancellationToken cancellationToken)
    {
        try
        {
            var there = await ctx.Destination.GetInfoAsync(target, cancellationToken).ConfigureAwait(false);
            if (there?.Version is { } version && version == row.DestETag)
            {
                return (row with { Path = target }, null);
            }

            var file = new ActionRecord
            {
                RunId = folder.RunId,
                ItemId = folder.ItemId,
                ActionId = folder.ActionId,
                Kind = ActionKind.Move,
                Path = target,
                FromPath = row.Path,
                SourceSize = row.Size,
                SourceLastModified = row.LastModified,
                SourceVersion = row.SourceVersion,
                SourceSha256 = row.Sha256,
                SourceItemId = row.SourceItemId,
                SourceParentId = row.SourceParentId,
                ExpectedDestETag = row.DestETag,
            };

            // No checkpoints: the action row is the folder's, not this file's (a cut-short upload starts over).
            var result = await MoveAsync(file, static (x, _) => Task.FromResult(x), cancellationToken).ConfigureAwait(false);
            return result.Status == ActionStatus.Done
                ? (row with { Path = target, DestETag = result.ResultDestETag, Sha256 = result.SourceSha256 ?? row.Sha256 }, null)
                : (null, result.LastError ?? "not moved");
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.NotFound)
        {
            // Nothing at the old path at the destination, and the source no longer has it either.
            return (null, null);
        }
        catch (StorageException ex) when (ex.Kind != StorageErrorKind.Authentication)
        {
            return (null, ItemExecutor.FailureText(ex));
        }
    }

    /// <summary><paramref name="path"/> (below <paramref name="from"/>) with that prefix replaced by <paramref name="to"/>.</summary>
    private static string ChangePathBase(string path, string from, string to) => to + path[from.Length..];

    /// <summary>Collects re-keyed rows (upsert at the new path, delete at the old) and writes them in batches. Thread-safe.</summary>
    private sealed class RekeyBatcher(StepContext ctx)
    {
        private readonly object _gate = new();
        private List<BaselineEntry> _upserts = new(RekeyBatch);
        private List<string> _deletes = new(RekeyBatch);
        private long _moved;

        public long Moved => Interlocked.Read(ref _moved);

        /// <param name="moved">The row at its new path, or null to drop the row.</param>
        /// <param name="oldPath">The row's path before.</param>
        /// <param name="cancellationToken">Stops the write (rows not written stay where they were).</param>
        public async Task AddAsync(BaselineEntry? moved, string oldPath, CancellationToken cancellationToken)
        {
            (List<BaselineEntry> Upserts, List<string> Deletes)? full = null;
            lock (_gate)
            {
                if (moved is not null)
                {
                    _upserts.Add(moved);
                    _moved++;
                }

                _deletes.Add(oldPath);
                if (_deletes.Count >= RekeyBatch)
                {
                    full = Take();
                }
            }

            if (full is { } batch)
            {
                await ctx.Ledger.ApplyBaselineAsync(ctx.PairId, batch.Upserts, batch.Deletes, cancellationToken).ConfigureAwait(false);
            }
        }

        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            (List<BaselineEntry> Upserts, List<string> Deletes) rest;
            lock (_gate)
            {
                rest = Take();
            }

            if (rest.Deletes.Count > 0)
            {
                await ctx.Ledger.ApplyBaselineAsync(ctx.PairId, rest.Upserts, rest.Deletes, cancellationToken).ConfigureAwait(false);
            }
        }

        private (List<BaselineEntry>, List<string>) Take()
        {
            var taken = (_upserts, _deletes);
            (_upserts, _deletes) = (new(RekeyBatch), new(RekeyBatch));
            return taken;
        }
    }
}
