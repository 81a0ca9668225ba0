using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Fakes;

/// <summary>Test set-up over the insert-only plan calls: an item with its actions, as the plan writer writes them.</summary>
public static class LedgerTestExtensions
{
    /// <summary>Inserts the actions, then the item row (the item last, as the engine does); returns the stored item.</summary>
    public static async Task<WorkItemRecord> AddWorkItemAsync(this IWorkLedger ledger, WorkItemRecord item, IReadOnlyList<ActionRecord> actions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(item);
        for (var i = 0; i < actions.Count; i += 100)
        {
            await ledger.TryInsertActionsAsync([.. actions.Skip(i).Take(100)], cancellationToken).ConfigureAwait(false);
        }

        return await ledger.TryInsertWorkItemAsync(item, cancellationToken).ConfigureAwait(false)
            ?? (await ledger.GetWorkItemAsync(item.RunId, item.ItemId, cancellationToken).ConfigureAwait(false))!;
    }
}
