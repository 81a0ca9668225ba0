using System.Runtime.CompilerServices;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Fakes;

/// <summary>
/// Keyed rows with ETags (subscriptions, plans): insert-only by key, CAS updates, ordinal listing, each call through
/// the ledger's fault hooks under its gate.
/// </summary>
public sealed partial class InMemoryLedger
{
    private readonly KeyedRows<SubscriptionRecord> _subscriptions;
    private readonly KeyedRows<PlanRecord> _plans;

    public InMemoryLedger()
    {
        _subscriptions = new(this, s => s.SubscriptionId, s => s.ETag, (s, e) => s with { ETag = e });
        _plans = new(this, p => p.PlanId, p => p.ETag, (p, e) => p with { ETag = e });
    }

    public Task<SubscriptionRecord?> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken) => _subscriptions.GetAsync(nameof(GetSubscriptionAsync), subscriptionId, cancellationToken);

    public IAsyncEnumerable<SubscriptionRecord> ListSubscriptionsAsync(CancellationToken cancellationToken) => _subscriptions.ListAsync(nameof(ListSubscriptionsAsync), cancellationToken);

    public Task<SubscriptionRecord?> TryAddSubscriptionAsync(SubscriptionRecord record, CancellationToken cancellationToken) => _subscriptions.TryAddAsync(nameof(TryAddSubscriptionAsync), record, cancellationToken);

    public Task<SubscriptionRecord?> TryUpdateSubscriptionAsync(SubscriptionRecord record, CancellationToken cancellationToken) => _subscriptions.TryUpdateAsync(nameof(TryUpdateSubscriptionAsync), record, cancellationToken);

    public Task<bool> RemoveSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken) => _subscriptions.RemoveAsync(nameof(RemoveSubscriptionAsync), subscriptionId, cancellationToken);

    public Task<PlanRecord?> GetPlanAsync(string planId, CancellationToken cancellationToken) => _plans.GetAsync(nameof(GetPlanAsync), planId, cancellationToken);

    public IAsyncEnumerable<PlanRecord> ListPlansAsync(CancellationToken cancellationToken) => _plans.ListAsync(nameof(ListPlansAsync), cancellationToken);

    public Task<PlanRecord?> TryAddPlanAsync(PlanRecord plan, CancellationToken cancellationToken) => _plans.TryAddAsync(nameof(TryAddPlanAsync), plan, cancellationToken);

    public Task<PlanRecord?> TryUpdatePlanAsync(PlanRecord plan, CancellationToken cancellationToken) => _plans.TryUpdateAsync(nameof(TryUpdatePlanAsync), plan, cancellationToken);

    public Task<bool> RemovePlanAsync(string planId, CancellationToken cancellationToken) => _plans.RemoveAsync(nameof(RemovePlanAsync), planId, cancellationToken);

    private sealed class KeyedRows<T>(InMemoryLedger ledger, Func<T, string> keyOf, Func<T, string?> etagOf, Func<T, string, T> withETag)
        where T : class
    {
        private readonly SortedDictionary<string, T> _rows = new(StringComparer.Ordinal);

        public async Task<T?> GetAsync(string operation, string key, CancellationToken cancellationToken)
        {
            await ledger.EnterAsync(operation, 1, cancellationToken);
            lock (ledger._gate)
            {
                return _rows.GetValueOrDefault(key);
            }
        }

        public async IAsyncEnumerable<T> ListAsync(string operation, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await ledger.EnterAsync(operation, 1, cancellationToken);
            T[] all;
            lock (ledger._gate)
            {
                all = [.. _rows.Values];
            }

            foreach (var row in all)
            {
                yield return row;
            }
        }

        public async Task<T?> TryAddAsync(string operation, T row, CancellationToken cancellationToken)
        {
            await ledger.EnterAsync(operation, 1, cancellationToken);
            lock (ledger._gate)
            {
                if (_rows.ContainsKey(keyOf(row)))
                {
                    return null;
                }

                var stored = withETag(row, NewETag());
                _rows[keyOf(row)] = stored;
                return stored;
            }
        }

        public async Task<T?> TryUpdateAsync(string operation, T row, CancellationToken cancellationToken)
        {
            await ledger.EnterAsync(operation, 1, cancellationToken);
            lock (ledger._gate)
            {
                if (!_rows.TryGetValue(keyOf(row), out var current) || etagOf(row) is null || etagOf(current) != etagOf(row))
                {
                    return null;
                }

                var stored = withETag(row, NewETag());
                _rows[keyOf(row)] = stored;
                return stored;
            }
        }

        public async Task<bool> RemoveAsync(string operation, string key, CancellationToken cancellationToken)
        {
            await ledger.EnterAsync(operation, 1, cancellationToken);
            lock (ledger._gate)
            {
                return _rows.Remove(key);
            }
        }
    }
}
