using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Engine;

/// <summary>
/// Writes a first run's item-id tree while it is planned (the tree starts empty, so no planned path depends on
/// it), in batches, and marks the run so its end does not apply the staged items to the tree again.
/// </summary>
/// <remarks>Upserts only: writing the same rows again after a crash is harmless. Not thread-safe (one planner).</remarks>
internal sealed class TreeWriter(RunContext ctx)
{
    private const int BatchSize = 1000;
    private readonly List<TreeEntry> _rows = new(BatchSize);

    public async Task AddAsync(ChangeItem item, CancellationToken cancellationToken)
    {
        if (item.IsDeleted)
        {
            return;
        }

        _rows.Add(ChangePlanner.TreeEntryOf(ctx.PairId, item));
        if (_rows.Count >= BatchSize)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes what is left and records on the run that its tree is written.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await ctx.UpdateRunAsync(r => r.TreeWritten ? null : r with { TreeWritten = true }, cancellationToken).ConfigureAwait(false);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_rows.Count == 0)
        {
            return;
        }

        var rows = _rows.ToList();
        _rows.Clear();
        await ctx.Retry.ExecuteAsync(async ct => await ctx.Ledger.ApplyTreeAsync(ctx.PairId, rows, [], ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }
}
