using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Retry;

/// <summary>
/// The ledger with every call retried by one <see cref="RetryPolicy"/>: applied once, at the composition root, so
/// no call (ownership, run administration, lease renewal included) is left unretried and none is retried twice.
/// </summary>
/// <remarks>Thread-safe when the inner ledger is. CAS conflicts are results (null / false), not errors: never retried.</remarks>
public sealed class RetryingLedger(ILedger inner, RetryPolicy policy) : ILedger
{
    /// <summary>The ledger this decorator wraps.</summary>
    public ILedger Inner => inner;

    public Task InitializeAsync(CancellationToken cancellationToken) => Run(ct => inner.InitializeAsync(ct), cancellationToken);

    public Task<PairRecord> GetOrCreatePairAsync(PairRecord template, CancellationToken cancellationToken) => Run(ct => inner.GetOrCreatePairAsync(template, ct), cancellationToken);

    public Task<PairRecord?> GetPairAsync(string pairId, CancellationToken cancellationToken) => Run(ct => inner.GetPairAsync(pairId, ct), cancellationToken);

    public Task<PairRecord?> TryUpdatePairAsync(PairRecord pair, CancellationToken cancellationToken) => Run(ct => inner.TryUpdatePairAsync(pair, ct), cancellationToken);

    public Task<PairDefinition?> GetDefinitionAsync(string name, CancellationToken cancellationToken) => Run(ct => inner.GetDefinitionAsync(name, ct), cancellationToken);

    public IAsyncEnumerable<PairDefinition> ListDefinitionsAsync(CancellationToken cancellationToken) => List(inner.ListDefinitionsAsync, cancellationToken);

    public Task<PairDefinition?> TryAddDefinitionAsync(PairDefinition definition, CancellationToken cancellationToken) => Run(ct => inner.TryAddDefinitionAsync(definition, ct), cancellationToken);

    public Task<bool> RemoveDefinitionAsync(string name, CancellationToken cancellationToken) => Run(ct => inner.RemoveDefinitionAsync(name, ct), cancellationToken);

    public Task<RunRecord> CreateRunAsync(RunRecord run, CancellationToken cancellationToken) => Run(ct => inner.CreateRunAsync(run, ct), cancellationToken);

    public Task<RunRecord?> GetRunAsync(string pairId, string runId, CancellationToken cancellationToken) => Run(ct => inner.GetRunAsync(pairId, runId, ct), cancellationToken);

    public Task<RunRecord?> FindRunAsync(string runId, CancellationToken cancellationToken) => Run(ct => inner.FindRunAsync(runId, ct), cancellationToken);

    public Task<RunRecord?> TryUpdateRunAsync(RunRecord run, CancellationToken cancellationToken) => Run(ct => inner.TryUpdateRunAsync(run, ct), cancellationToken);

    public IAsyncEnumerable<RunRecord> ListRunsAsync(string? pairId, CancellationToken cancellationToken) => List(ct => inner.ListRunsAsync(pairId, ct), cancellationToken);

    public Task<bool> TryInsertActionsAsync(IReadOnlyList<ActionRecord> actions, CancellationToken cancellationToken) => Run(ct => inner.TryInsertActionsAsync(actions, ct), cancellationToken);

    public Task<WorkItemRecord?> TryInsertWorkItemAsync(WorkItemRecord item, CancellationToken cancellationToken) => Run(ct => inner.TryInsertWorkItemAsync(item, ct), cancellationToken);

    public IAsyncEnumerable<WorkItemRecord> ListWorkItemsAsync(string runId, CancellationToken cancellationToken) => List(ct => inner.ListWorkItemsAsync(runId, ct), cancellationToken);

    public IAsyncEnumerable<WorkItemRecord> ListWorkItemRangeAsync(string runId, string fromItemId, string toItemId, CancellationToken cancellationToken) =>
        List(ct => inner.ListWorkItemRangeAsync(runId, fromItemId, toItemId, ct), cancellationToken);

    public Task<WorkItemRecord?> GetWorkItemAsync(string runId, string itemId, CancellationToken cancellationToken) => Run(ct => inner.GetWorkItemAsync(runId, itemId, ct), cancellationToken);

    public Task<WorkItemRecord?> TryUpdateWorkItemAsync(WorkItemRecord item, CancellationToken cancellationToken) => Run(ct => inner.TryUpdateWorkItemAsync(item, ct), cancellationToken);

    public Task<IReadOnlyList<ActionRecord>> GetActionsAsync(string runId, string itemId, CancellationToken cancellationToken) => Run(ct => inner.GetActionsAsync(runId, itemId, ct), cancellationToken);

    public Task<IReadOnlyList<ActionRecord>?> TryUpdateActionsAsync(IReadOnlyList<ActionRecord> actions, CancellationToken cancellationToken) => Run(ct => inner.TryUpdateActionsAsync(actions, ct), cancellationToken);

    public IAsyncEnumerable<BaselineEntry> ListBaselineAsync(string pairId, CancellationToken cancellationToken) => List(ct => inner.ListBaselineAsync(pairId, ct), cancellationToken);

    public Task<BaselineEntry?> GetBaselineAsync(string pairId, string path, CancellationToken cancellationToken) => Run(ct => inner.GetBaselineAsync(pairId, path, ct), cancellationToken);

    public IAsyncEnumerable<BaselineEntry> ListBaselineUnderAsync(string pairId, string folderPath, CancellationToken cancellationToken) => List(ct => inner.ListBaselineUnderAsync(pairId, folderPath, ct), cancellationToken);

    public Task ApplyBaselineAsync(string pairId, IReadOnlyList<BaselineEntry> upserts, IReadOnlyList<string> deletes, CancellationToken cancellationToken) =>
        Run(ct => inner.ApplyBaselineAsync(pairId, upserts, deletes, ct), cancellationToken);

    public IAsyncEnumerable<CarryOverEntry> ListCarryOverAsync(string pairId, CancellationToken cancellationToken) => List(ct => inner.ListCarryOverAsync(pairId, ct), cancellationToken);

    public Task ApplyCarryOverAsync(string pairId, IReadOnlyList<CarryOverEntry> upserts, IReadOnlyList<string> removes, CancellationToken cancellationToken) =>
        Run(ct => inner.ApplyCarryOverAsync(pairId, upserts, removes, ct), cancellationToken);

    public Task StageChangesAsync(string runId, IReadOnlyList<ChangeItem> items, CancellationToken cancellationToken) => Run(ct => inner.StageChangesAsync(runId, items, ct), cancellationToken);

    public IAsyncEnumerable<ChangeItem> ListStagedChangesAsync(string runId, CancellationToken cancellationToken) => List(ct => inner.ListStagedChangesAsync(runId, ct), cancellationToken);

    public Task DeleteStagedChangesAsync(string runId, CancellationToken cancellationToken) => Run(ct => inner.DeleteStagedChangesAsync(runId, ct), cancellationToken);

    public Task<TreeEntry?> GetTreeEntryAsync(string pairId, string itemId, CancellationToken cancellationToken) => Run(ct => inner.GetTreeEntryAsync(pairId, itemId, ct), cancellationToken);

    public Task ApplyTreeAsync(string pairId, IReadOnlyList<TreeEntry> upserts, IReadOnlyList<string> deleteItemIds, CancellationToken cancellationToken) =>
        Run(ct => inner.ApplyTreeAsync(pairId, upserts, deleteItemIds, ct), cancellationToken);

    public string StagingAreaOf(string runId) => inner.StagingAreaOf(runId);

    public IAsyncEnumerable<string> ListStagingAreasAsync(CancellationToken cancellationToken) => List(inner.ListStagingAreasAsync, cancellationToken);

    public Task<bool> DeleteStagingAreaAsync(string areaId, CancellationToken cancellationToken) => Run(ct => inner.DeleteStagingAreaAsync(areaId, ct), cancellationToken);

    public Task<RunRemoval> DeleteRunAsync(RunRecord run, CancellationToken cancellationToken) => Run(ct => inner.DeleteRunAsync(run, ct), cancellationToken);

    public Task<SubscriptionRecord?> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken) => Run(ct => inner.GetSubscriptionAsync(subscriptionId, ct), cancellationToken);

    public IAsyncEnumerable<SubscriptionRecord> ListSubscriptionsAsync(CancellationToken cancellationToken) => List(inner.ListSubscriptionsAsync, cancellationToken);

    public Task<SubscriptionRecord?> TryAddSubscriptionAsync(SubscriptionRecord record, CancellationToken cancellationToken) => Run(ct => inner.TryAddSubscriptionAsync(record, ct), cancellationToken);

    public Task<SubscriptionRecord?> TryUpdateSubscriptionAsync(SubscriptionRecord record, CancellationToken cancellationToken) => Run(ct => inner.TryUpdateSubscriptionAsync(record, ct), cancellationToken);

    public Task<bool> RemoveSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken) => Run(ct => inner.RemoveSubscriptionAsync(subscriptionId, ct), cancellationToken);

    public Task<PlanRecord?> GetPlanAsync(string planId, CancellationToken cancellationToken) => Run(ct => inner.GetPlanAsync(planId, ct), cancellationToken);

    public IAsyncEnumerable<PlanRecord> ListPlansAsync(CancellationToken cancellationToken) => List(inner.ListPlansAsync, cancellationToken);

    public Task<PlanRecord?> TryAddPlanAsync(PlanRecord plan, CancellationToken cancellationToken) => Run(ct => inner.TryAddPlanAsync(plan, ct), cancellationToken);

    public Task<PlanRecord?> TryUpdatePlanAsync(PlanRecord plan, CancellationToken cancellationToken) => Run(ct => inner.TryUpdatePlanAsync(plan, ct), cancellationToken);

    public Task<bool> RemovePlanAsync(string planId, CancellationToken cancellationToken) => Run(ct => inner.RemovePlanAsync(planId, ct), cancellationToken);

    public Task StageChangedPathsAsync(string pairId, IReadOnlyList<string> paths, DateTimeOffset stagedAt, CancellationToken cancellationToken) =>
        Run(ct => inner.StageChangedPathsAsync(pairId, paths, stagedAt, ct), cancellationToken);

    public Task<long> TakeChangedPathsAsync(string pairId, string runId, CancellationToken cancellationToken) => Run(ct => inner.TakeChangedPathsAsync(pairId, runId, ct), cancellationToken);

    public IAsyncEnumerable<ChangedPath> ListChangedPathsAsync(string pairId, CancellationToken cancellationToken) => List(ct => inner.ListChangedPathsAsync(pairId, ct), cancellationToken);

    public Task RemoveChangedPathsAsync(string pairId, string runId, CancellationToken cancellationToken) => Run(ct => inner.RemoveChangedPathsAsync(pairId, runId, ct), cancellationToken);

    private async Task<T> Run<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        await policy.ExecuteAsync(async ct => await call(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private async Task Run(Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        await policy.ExecuteAsync(async ct => await call(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private IAsyncEnumerable<T> List<T>(Func<CancellationToken, IAsyncEnumerable<T>> open, CancellationToken cancellationToken) =>
        RetryingEnumerable.Create(policy, open, cancellationToken);
}
