namespace SyncFunctions.Abstractions;

/// <summary>
/// A change-notification subscription a named pair holds on its source (a Graph subscription on a drive root), as
/// the ledger keeps it: the webhook finds the pair by <see cref="SubscriptionId"/> and checks
/// <see cref="ClientState"/>; the renewal timer renews it before <see cref="ExpiresAt"/>.
/// </summary>
/// <param name="SubscriptionId">The service's id of the subscription (a GUID on Graph).</param>
/// <param name="PairName">The named pair it belongs to.</param>
/// <param name="PairId">That pair's id when the subscription was created (a pair re-added with other endpoints differs).</param>
/// <param name="Source">The canonical source endpoint it was created for (where to renew or delete it).</param>
/// <param name="Resource">What is subscribed to, e.g. <c>/drives/{id}/root</c>.</param>
/// <param name="ClientState">The secret every notification of the subscription carries (never logged).</param>
/// <param name="ExpiresAt">When the service ends the subscription unless it is renewed.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ETag">The stored row's ETag.</param>
public sealed record SubscriptionRecord(
    string SubscriptionId,
    string PairName,
    string PairId,
    string Source,
    string Resource,
    string ClientState,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? CreatedAt = null,
    string? ETag = null)
{
    /// <summary>The record without its secret, for logs and messages.</summary>
    public override string ToString() => $"subscription {SubscriptionId} of pair {PairName} on {Resource}, expires {ExpiresAt:O}";
}

/// <summary>The change-notification subscriptions of named pairs, in the ledger account.</summary>
/// <remarks>Implementations are thread-safe. Updates are CAS on the ETag, so a renewal never resurrects a removed record.</remarks>
public interface ISubscriptionLedger
{
    /// <summary>The subscription with id <paramref name="subscriptionId"/>, or null (also for an id no row key can hold).</summary>
    /// <param name="subscriptionId">The subscription id as a notification carries it.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    Task<SubscriptionRecord?> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>Every stored subscription, ordered by subscription id (ordinal).</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    IAsyncEnumerable<SubscriptionRecord> ListSubscriptionsAsync(CancellationToken cancellationToken);

    /// <summary>Inserts a record; returns it with its ETag, or null when a record with its id exists.</summary>
    /// <param name="record">The record to insert.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task<SubscriptionRecord?> TryAddSubscriptionAsync(SubscriptionRecord record, CancellationToken cancellationToken);

    /// <summary>Replaces the record if its ETag still matches; returns it with its new ETag, or null on a conflict or when it is gone.</summary>
    /// <param name="record">The record with the ETag it was read with.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task<SubscriptionRecord?> TryUpdateSubscriptionAsync(SubscriptionRecord record, CancellationToken cancellationToken);

    /// <summary>Removes the record; false when there was none.</summary>
    /// <param name="subscriptionId">The subscription id.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    Task<bool> RemoveSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken);
}

/// <summary>What to subscribe to and where notifications go.</summary>
/// <param name="Source">The pair's canonical source endpoint.</param>
/// <param name="NotificationUrl">Where the service posts change and lifecycle notifications.</param>
/// <param name="ClientState">The secret the notifications carry.</param>
/// <param name="ExpiresAt">The expiry asked for (the adapter may shorten it to the service's maximum).</param>
public sealed record ChangeSubscriptionRequest(string Source, Uri NotificationUrl, string ClientState, DateTimeOffset ExpiresAt)
{
    /// <summary>The request without its secret.</summary>
    public override string ToString() => $"subscribe {Source} -> {NotificationUrl} until {ExpiresAt:O}";
}

/// <summary>A subscription the service created or renewed.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Resource">What it watches.</param>
/// <param name="ExpiresAt">When it ends unless renewed.</param>
public sealed record ChangeSubscription(string Id, string Resource, DateTimeOffset ExpiresAt);

/// <summary>
/// Change-notification subscriptions at a source's service (Graph <c>/subscriptions</c>): create, renew, delete.
/// Sources are named by their canonical endpoint forms.
/// </summary>
/// <remarks>Thread-safe. Failures are <see cref="StorageException"/>s classified once by the adapter; nothing here retries.</remarks>
public interface IChangeSubscriptions
{
    /// <summary>Null when the source can be subscribed to; otherwise why not, in words for the user.</summary>
    /// <param name="source">A canonical source endpoint.</param>
    string? SubscribeProblem(string source);

    /// <summary>Creates a subscription (the service validates <see cref="ChangeSubscriptionRequest.NotificationUrl"/> first).</summary>
    /// <param name="request">What to subscribe to.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="StorageException">The service refused (Permanent: e.g. the validation handshake failed) or failed.</exception>
    Task<ChangeSubscription> CreateAsync(ChangeSubscriptionRequest request, CancellationToken cancellationToken);

    /// <summary>Moves the expiry of a subscription; null when the service no longer knows it (recreate it).</summary>
    /// <param name="source">The canonical source it was created for.</param>
    /// <param name="subscriptionId">Its id.</param>
    /// <param name="expiresAt">The new expiry.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task<DateTimeOffset?> RenewAsync(string source, string subscriptionId, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Deletes a subscription; false when the service no longer knew it.</summary>
    /// <param name="source">The canonical source it was created for.</param>
    /// <param name="subscriptionId">Its id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task<bool> DeleteAsync(string source, string subscriptionId, CancellationToken cancellationToken);
}
