namespace SyncFunctions.Abstractions;

/// <summary>Pairs: created once, updated only by CAS on the ETag.</summary>
public interface IPairLedger
{
    /// <summary>Returns the stored pair, creating it from <paramref name="template"/> when absent.</summary>
    Task<PairRecord> GetOrCreatePairAsync(PairRecord template, CancellationToken cancellationToken);

    Task<PairRecord?> GetPairAsync(string pairId, CancellationToken cancellationToken);

    /// <summary>Replaces the pair if its ETag still matches; returns the stored record with its new ETag, or null on conflict.</summary>
    Task<PairRecord?> TryUpdatePairAsync(PairRecord pair, CancellationToken cancellationToken);
}

/// <summary>Runs of a pair (partition = pair).</summary>
public interface IRunLedger
{
    /// <summary>Inserts a new run; returns it with its ETag.</summary>
    Task<RunRecord> CreateRunAsync(RunRecord run, CancellationToken cancellationToken);

    Task<RunRecord?> GetRunAsync(string pairId, string runId, CancellationToken cancellationToken);

    /// <summary>Finds a run by id alone (any pair).</summary>
    Task<RunRecord?> FindRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Replaces the run if its ETag still matches; returns the stored record or null on conflict.</summary>
    Task<RunRecord?> TryUpdateRunAsync(RunRecord run, CancellationToken cancellationToken);

    /// <summary>Runs of one pair, or of every pair when <paramref name="pairId"/> is null; newest first is not guaranteed.</summary>
    IAsyncEnumerable<RunRecord> ListRunsAsync(string? pairId, CancellationToken cancellationToken);
}

/// <summary>Work items and their actions.</summary>
/// <remarks>
/// Rows of a plan are written insert-only: an action or item row that exists is never replaced by a plan write, so
/// a duplicate or concurrent observer cannot reset work another worker claimed or finished. Claims are CAS updates
/// of the work item row. Only the claim holder writes an item's action rows, and it writes them with If-Match, so a
/// worker whose lease was taken over cannot overwrite the new owner. An item row only exists once its actions do,
/// which makes it the plan's commit point: actions without an item row are never claimed.
/// </remarks>
public interface IWorkLedger
{
    /// <summary>
    /// Inserts the actions of one work item (at most 100, one partition) in one transaction.
    /// </summary>
    /// <returns>True when they were written; false when any of them existed already (then nothing was written).</returns>
    Task<bool> TryInsertActionsAsync(IReadOnlyList<ActionRecord> actions, CancellationToken cancellationToken);

    /// <summary>Inserts a work item row; returns it with its ETag, or null when a row with its id exists already.</summary>
    Task<WorkItemRecord?> TryInsertWorkItemAsync(WorkItemRecord item, CancellationToken cancellationToken);

    /// <summary>All work items of a run, in item-id order.</summary>
    IAsyncEnumerable<WorkItemRecord> ListWorkItemsAsync(string runId, CancellationToken cancellationToken);

    /// <summary>The run's work items with <paramref name="fromItemId"/> &lt;= id &lt; <paramref name="toItemId"/> (ordinal), in id order.</summary>
    IAsyncEnumerable<WorkItemRecord> ListWorkItemRangeAsync(string runId, string fromItemId, string toItemId, CancellationToken cancellationToken);

    Task<WorkItemRecord?> GetWorkItemAsync(string runId, string itemId, CancellationToken cancellationToken);

    /// <summary>CAS update of an item row; null on conflict.</summary>
    Task<WorkItemRecord?> TryUpdateWorkItemAsync(WorkItemRecord item, CancellationToken cancellationToken);

    /// <summary>The item's actions in action-id order.</summary>
    Task<IReadOnlyList<ActionRecord>> GetActionsAsync(string runId, string itemId, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces actions of one item in one transaction, each with If-Match on its ETag; returns the stored
    /// records, or null when any ETag no longer matched (nothing written).
    /// </summary>
    Task<IReadOnlyList<ActionRecord>?> TryUpdateActionsAsync(IReadOnlyList<ActionRecord> actions, CancellationToken cancellationToken);
}

/// <summary>The per-pair baseline: what was last synced, in canonical path order.</summary>
public interface IBaselineLedger
{
    /// <summary>Streams the pair's baseline in canonical order (ordinal by path), never all in memory.</summary>
    IAsyncEnumerable<BaselineEntry> ListBaselineAsync(string pairId, CancellationToken cancellationToken);

    Task<BaselineEntry?> GetBaselineAsync(string pairId, string path, CancellationToken cancellationToken);

    /// <summary>Streams the baseline rows whose path starts with <paramref name="folderPath"/> + "/", in canonical order (a key-range query).</summary>
    IAsyncEnumerable<BaselineEntry> ListBaselineUnderAsync(string pairId, string folderPath, CancellationToken cancellationToken);

    /// <summary>Upserts and deletes rows in batched transactions (up to 100 per request).</summary>
    Task ApplyBaselineAsync(string pairId, IReadOnlyList<BaselineEntry> upserts, IReadOnlyList<string> deletes, CancellationToken cancellationToken);
}

/// <summary>The per-pair carry-over set: failed actions and held-back deletes that later runs re-plan.</summary>
public interface ICarryOverLedger
{
    IAsyncEnumerable<CarryOverEntry> ListCarryOverAsync(string pairId, CancellationToken cancellationToken);

    Task ApplyCarryOverAsync(string pairId, IReadOnlyList<CarryOverEntry> upserts, IReadOnlyList<string> removes, CancellationToken cancellationToken);
}

/// <summary>
/// Per-run staging of change-feed pages: items upserted by id (the last report wins), so an interrupted
/// enumeration continues from its last page and planning starts only once the whole feed has arrived.
/// </summary>
public interface IChangeStagingLedger
{
    /// <summary>Upserts the items by id in batched transactions.</summary>
    Task StageChangesAsync(string runId, IReadOnlyList<ChangeItem> items, CancellationToken cancellationToken);

    /// <summary>Every staged item of the run, in item-id order.</summary>
    IAsyncEnumerable<ChangeItem> ListStagedChangesAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Removes the run's staged items (after the run ended).</summary>
    Task DeleteStagedChangesAsync(string runId, CancellationToken cancellationToken);
}

/// <summary>The item-id tree of change-feed pairs (files and folders by id, with parent and name).</summary>
public interface IItemTreeLedger
{
    Task<TreeEntry?> GetTreeEntryAsync(string pairId, string itemId, CancellationToken cancellationToken);

    /// <summary>Upserts and deletes tree rows in batched transactions.</summary>
    Task ApplyTreeAsync(string pairId, IReadOnlyList<TreeEntry> upserts, IReadOnlyList<string> deleteItemIds, CancellationToken cancellationToken);
}

/// <summary>The whole checkpoint store. One implementation on Azure Table Storage, one in memory for tests.</summary>
public interface ILedger : IPairLedger, IPairCatalog, IRunLedger, IWorkLedger, IBaselineLedger, ICarryOverLedger, IChangeStagingLedger, IItemTreeLedger, IMaintenanceLedger, ISubscriptionLedger, IChangedPathLedger, IPlanLedger
{
    /// <summary>Creates the tables if needed. Idempotent.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);
}
