using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.Planning;

/// <summary>
/// Applies staged items to the pair's item-id tree in batches: an item that exists is upserted, a deleted one
/// removed. Used when a run ends (<see cref="ChangePlanner.ApplyTreeAsync"/>), and by a first run's planner,
/// which writes the tree while it plans (the tree starts empty, so no planned path depends on it) and marks the
/// run so its end does not apply the staged items again.
/// </summary>
/// <remarks>Writing the same rows again after a crash is harmless. Not thread-safe (one caller).</remarks>
internal sealed class TreeWriter(StepContext ctx)
{
    private const int BatchSize = 1000;
    private readonly List<TreeEntry> _upserts = new(BatchSize);
    private readonly List<string> _deletes = [];

    public async Task AddAsync(ChangeItem item, CancellationToken cancellationToken)
    {
        if (item.IsDeleted)
        {
            _deletes.Add(item.ItemId);
        }
        else
        {
            _upserts.Add(new TreeEntry { PairId = ctx.PairId, ItemId = item.ItemId, ParentId = item.ParentId, Name = item.Name ?? "", IsFolder = item.IsFolder || item.IsRoot });
        }

        if (_upserts.Count + _deletes.Count >= BatchSize)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes what is left and records on the run that its tree is written (a first run's planner).</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await ctx.UpdateRunAsync(r => r.TreeWritten ? null : r with { TreeWritten = true }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes what is buffered.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_upserts.Count + _deletes.Count == 0)
        {
            return;
        }

        var (upserts, deletes) = (_upserts.ToList(), _deletes.ToList());
        _upserts.Clear();
        _deletes.Clear();
        await ctx.Ledger.ApplyTreeAsync(ctx.PairId, upserts, deletes, cancellationToken).ConfigureAwait(false);
    }
}
