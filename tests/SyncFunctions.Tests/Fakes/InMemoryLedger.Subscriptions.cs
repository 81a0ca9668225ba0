using System.Runtime.CompilerServices;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Fakes;

/// <summary>Change-notification subscriptions: insert-only by id, CAS updates, ordinal listing.</summary>
public sealed partial class InMemoryLedger
{
    private readonly SortedDictionary<string, SubscriptionRecord> _subscriptions = new(StringComparer.Ordinal);

    public async Task<SubscriptionRecord?> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(GetSubscriptionAsync), 1, cancellationToken);
        lock (_gate)
        {
            return _subscriptions.GetValueOrDefault(subscriptionId);
        }
    }

    public async IAsyncEnumerable<SubscriptionRecord> ListSubscriptionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(ListSubscriptionsAsync), 1, cancellationToken);
        SubscriptionRecord[] all;
        lock (_gate)
        {
            all = [.. _subscriptions.Values];
        }

        foreach (var record in all)
        {
            yield return record;
        }
    }

    public async Task<SubscriptionRecord?> TryAddSubscriptionAsync(SubscriptionRecord record, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(TryAddSubscriptionAsync), 1, cancellationToken);
        lock (_gate)
        {
            if (_subscriptions.ContainsKey(record.SubscriptionId))
            {
                return null;
            }

            var stored = record with { ETag = NewETag() };
            _subscriptions[record.SubscriptionId] = stored;
            return stored;
        }
    }

    public async Task<SubscriptionRecord?> TryUpdateSubscriptionAsync(SubscriptionRecord record, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(TryUpdateSubscriptionAsync), 1, cancellationToken);
        lock (_gate)
        {
            if (!_subscriptions.TryGetValue(record.SubscriptionId, out var current) || record.ETag is null || current.ETag != record.ETag)
            {
                return null;
            }

            var stored = record with { ETag = NewETag() };
            _subscriptions[record.SubscriptionId] = stored;
            return stored;
        }
    }

    public async Task<bool> RemoveSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(RemoveSubscriptionAsync), 1, cancellationToken);
        lock (_gate)
        {
            return _subscriptions.Remove(subscriptionId);
        }
    }
}
