using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.Transfer;

/// <summary>
/// A work item a step holds a claim on. Its lease is renewed in the background while the step works; losing it (the
/// lease expired and another worker took the item) cancels the work at once. The gate serialises renewals and the
/// item's own updates.
/// </summary>
internal sealed class ClaimedItem : IDisposable
{
    private readonly CancellationTokenSource _lost = new();

    public ClaimedItem(WorkItemRecord record) => Record = record;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    public WorkItemRecord Record { get; set; }

    public bool Lost { get; private set; }

    /// <summary>Cancelled when the claim is lost.</summary>
    public CancellationToken LostToken => _lost.Token;

    public void MarkLost()
    {
        Lost = true;
        _lost.Cancel();
    }

    /// <summary>Renews the lease at a third of its length until <paramref name="stop"/> fires or the claim is lost.</summary>
    public async Task KeepLeaseAsync(StepContext ctx, CancellationToken stop)
    {
        var lease = ctx.Settings.ItemLease;
        try
        {
            while (!stop.IsCancellationRequested && !Lost)
            {
                await Task.Delay(lease / 3, ctx.Env.Time, stop).ConfigureAwait(false);
                await Gate.WaitAsync(stop).ConfigureAwait(false);
                try
                {
                    if (Record.Status != WorkStatus.Claimed)
                    {
                        return;
                    }

                    var stored = await ctx.Ledger.TryUpdateWorkItemAsync(Record with { LeaseExpires = ctx.Now + lease }, stop).ConfigureAwait(false);
                    if (stored is null)
                    {
                        Logs.ClaimLost(ctx.Log, Record.ItemId);
                        MarkLost();
                        return;
                    }

                    Record = stored;
                }
                catch (StorageException)
                {
                    // Missed once (the decorator retried): the lease is three renewals long; try again at the next tick.
                }
                finally
                {
                    Gate.Release();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    public void Dispose()
    {
        _lost.Dispose();
        Gate.Dispose();
    }
}
