using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Orchestration.Service;

/// <summary>What one <see cref="PairSubscriptions.RenewDueAsync"/> pass did.</summary>
/// <param name="Checked">Subscription records looked at.</param>
/// <param name="Renewed">Renewed before their expiry.</param>
/// <param name="Recreated">Gone at the service (404 on renew) and created again.</param>
/// <param name="Created">Created for subscribing pairs that had none (added by the CLI, or a create that failed).</param>
/// <param name="Removed">Records (and subscriptions) of pairs that are gone or no longer subscribe.</param>
/// <param name="Failed">Subscriptions whose renewal or creation failed (logged; the next pass tries again).</param>
public sealed record RenewalStats(int Checked, int Renewed, int Recreated, int Created, int Removed, int Failed);

/// <summary>
/// The change-notification subscriptions of named pairs: created when a subscribing pair is added, deleted with it,
/// renewed before they expire, recreated when the service lost them. The records (with each subscription's own
/// random <c>clientState</c>) live in the ledger, so every host of the account answers the webhook alike.
/// </summary>
/// <remarks>
/// Thread-safe. Two hosts renewing at once both renew; the record update is a CAS, so the loser only re-reads.
/// The notification URL is read when a subscription is created: <c>{public URL}api/webhooks/graph</c>.
/// </remarks>
public sealed class PairSubscriptions
{
    /// <summary>The route the notifications (and lifecycle notifications) are posted to, below the public base URL.</summary>
    public const string WebhookPath = "api/webhooks/graph";

    private readonly IPairCatalog _pairs;
    private readonly ISubscriptionLedger _records;
    private readonly IChangeSubscriptions _service;
    private readonly Func<Uri> _publicUrl;
    private readonly TimeProvider _time;
    private readonly ILogger _log;

    /// <param name="pairs">The named pairs.</param>
    /// <param name="records">Where subscription records are kept.</param>
    /// <param name="service">The source's subscription API (Graph).</param>
    /// <param name="publicUrl">The base URL the source's service calls (the host's public URL, ending in '/').</param>
    /// <param name="time">The clock of expiries.</param>
    /// <param name="log">Where failures are logged (never a clientState); none when null.</param>
    public PairSubscriptions(IPairCatalog pairs, ISubscriptionLedger records, IChangeSubscriptions service, Func<Uri> publicUrl, TimeProvider time, ILogger? log = null)
    {
        _pairs = pairs;
        _records = records;
        _service = service;
        _publicUrl = publicUrl;
        _time = time;
        _log = log ?? NullLogger.Instance;
    }

    /// <summary>How long a subscription is asked for (Graph allows drive items at most 42,300 minutes).</summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromDays(2);

    /// <summary>Subscriptions expiring within this are renewed by <see cref="RenewDueAsync"/>.</summary>
    public TimeSpan RenewalMargin { get; init; } = TimeSpan.FromHours(12);

    /// <summary>The notification URL of new subscriptions.</summary>
    public Uri NotificationUrl => new(_publicUrl(), WebhookPath);

    /// <summary>Null when the canonical <paramref name="source"/> can be subscribed to, else why not.</summary>
    public string? SubscribeProblem(string source) => _service.SubscribeProblem(source);

    /// <summary>Creates the subscription of <paramref name="pair"/> and records it (a record that cannot be written deletes the subscription again).</summary>
    /// <exception cref="StorageException">The service refused or failed; nothing is recorded.</exception>
    public async Task<SubscriptionRecord> CreateAsync(PairDefinition pair, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pair);
        var clientState = NewClientState();
        var now = _time.GetUtcNow();
        var created = await _service.CreateAsync(new ChangeSubscriptionRequest(pair.Source, NotificationUrl, clientState, now + Lifetime), cancellationToken).ConfigureAwait(false);
        var record = new SubscriptionRecord(created.Id, pair.Name, pair.PairId, pair.Source, created.Resource, clientState, created.ExpiresAt, now);
        try
        {
            return await _records.TryAddSubscriptionAsync(record, cancellationToken).ConfigureAwait(false)
                ?? throw new StorageException(StorageErrorKind.PreconditionFailed, $"a subscription record with id {created.Id} exists already");
        }
        catch (Exception)
        {
            await TryDeleteAtServiceAsync(pair.Source, created.Id).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Deletes every subscription of the pair named <paramref name="pairName"/>, at the service and then its record;
    /// returns how many. One the service cannot delete now keeps its record (logged): the next
    /// <see cref="RenewDueAsync"/> removes it, since its pair is gone.
    /// </summary>
    public async Task<int> DeleteForPairAsync(string pairName, CancellationToken cancellationToken)
    {
        var removed = 0;
        foreach (var record in await ListAsync(r => r.PairName == pairName, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                removed += await DeleteAsync(record, cancellationToken).ConfigureAwait(false) ? 1 : 0;
            }
            catch (StorageException e)
            {
                WebhookLogs.DeleteFailed(_log, record.SubscriptionId, e.Message);
            }
        }

        return removed;
    }

    /// <summary>
    /// Renews <paramref name="record"/> for another <see cref="Lifetime"/>; recreates it when the service no longer
    /// knows it. Returns the record now in force, or null when its pair is gone (the record is then removed).
    /// </summary>
    public async Task<SubscriptionRecord?> RenewAsync(SubscriptionRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (await PairOfAsync(record, cancellationToken).ConfigureAwait(false) is null)
        {
            await DeleteAsync(record, cancellationToken).ConfigureAwait(false);
            return null;
        }

        var renewed = await _service.RenewAsync(record.Source, record.SubscriptionId, _time.GetUtcNow() + Lifetime, cancellationToken).ConfigureAwait(false);
        if (renewed is not { } expiresAt)
        {
            return await RecreateAsync(record, cancellationToken).ConfigureAwait(false);
        }

        var current = record;
        while (true)
        {
            if (await _records.TryUpdateSubscriptionAsync(current with { ExpiresAt = expiresAt }, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                return stored;
            }

            // Another host renewed it meanwhile (keep the later expiry), or the pair was removed (the record is gone).
            current = await _records.GetSubscriptionAsync(record.SubscriptionId, cancellationToken).ConfigureAwait(false);
            if (current is null || current.ExpiresAt >= expiresAt)
            {
                return current;
            }
        }
    }

    /// <summary>
    /// Replaces <paramref name="record"/> by a new subscription of its pair (after <c>subscriptionRemoved</c>, or a 404
    /// on renew): the old one is deleted at the service (if it still exists) and its record removed. Null when the
    /// pair is gone or no longer subscribes.
    /// </summary>
    public async Task<SubscriptionRecord?> RecreateAsync(SubscriptionRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var pair = await PairOfAsync(record, cancellationToken).ConfigureAwait(false);
        if (!await DeleteAsync(record, cancellationToken).ConfigureAwait(false) || pair is null)
        {
            // Another host replaced it already (or the pair is gone): one replacement, not two.
            return null;
        }

        return await CreateAsync(pair, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One renewal pass: renews every subscription expiring within <see cref="RenewalMargin"/> (recreating those the
    /// service lost), removes those of pairs that are gone or no longer subscribe, drops duplicates of one pair, and
    /// creates missing subscriptions of subscribing pairs. A failure of one subscription is logged and counted; the
    /// pass goes on. The renewal timer calls this.
    /// </summary>
    /// <param name="cancellationToken">Stops the pass between subscriptions (and cancels the request in flight).</param>
    public async Task<RenewalStats> RenewDueAsync(CancellationToken cancellationToken)
    {
        var subscribing = new Dictionary<string, PairDefinition>(StringComparer.Ordinal);
        await foreach (var pair in _pairs.ListDefinitionsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (pair.Subscribe && _service.SubscribeProblem(pair.Source) is null)
            {
                subscribing[pair.Name] = pair;
            }
        }

        var records = await ListAsync(_ => true, cancellationToken).ConfigureAwait(false);
        var (renewed, recreated, created, removed, failed) = (0, 0, 0, 0, 0);
        var covered = new HashSet<string>(StringComparer.Ordinal);
        var dueBy = _time.GetUtcNow() + RenewalMargin;
        foreach (var record in records.OrderByDescending(r => r.ExpiresAt))
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (!subscribing.TryGetValue(record.PairName, out var pair) || pair.PairId != record.PairId || !covered.Add(pair.Name))
                {
                    // Its pair is gone, changed, no longer subscribes, or already has a (later-expiring) subscription.
                    removed += await DeleteAsync(record, cancellationToken).ConfigureAwait(false) ? 1 : 0;
                }
                else if (record.ExpiresAt <= dueBy)
                {
                    var now = await RenewAsync(record, cancellationToken).ConfigureAwait(false);
                    if (now?.SubscriptionId == record.SubscriptionId)
                    {
                        renewed++;
                    }
                    else if (now is not null)
                    {
                        recreated++;
                    }
                }
            }
            catch (Exception e) when (e is StorageException or HttpRequestException)
            {
                failed++;
                WebhookLogs.RenewalFailed(_log, record.SubscriptionId, record.PairName, e.Message);
            }
        }

        foreach (var pair in subscribing.Values.Where(p => !covered.Contains(p.Name)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await CreateAsync(pair, cancellationToken).ConfigureAwait(false);
                created++;
            }
            catch (StorageException e)
            {
                failed++;
                WebhookLogs.SubscribeFailed(_log, pair.Name, e.Message);
            }
        }

        return new RenewalStats(records.Count, renewed, recreated, created, removed, failed);
    }

    /// <summary>32 random bytes, base64url without padding (43 characters; Graph takes up to 128).</summary>
    internal static string NewClientState() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private async Task<PairDefinition?> PairOfAsync(SubscriptionRecord record, CancellationToken cancellationToken) =>
        await _pairs.GetDefinitionAsync(record.PairName, cancellationToken).ConfigureAwait(false) is { Subscribe: true } pair && pair.PairId == record.PairId
            ? pair
            : null;

    private async Task<List<SubscriptionRecord>> ListAsync(Func<SubscriptionRecord, bool> predicate, CancellationToken cancellationToken)
    {
        var found = new List<SubscriptionRecord>();
        await foreach (var record in _records.ListSubscriptionsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (predicate(record))
            {
                found.Add(record);
            }
        }

        return found;
    }

    /// <summary>Deletes the subscription at the service (gone already is fine), then its record; false when the record was gone.</summary>
    private async Task<bool> DeleteAsync(SubscriptionRecord record, CancellationToken cancellationToken)
    {
        await _service.DeleteAsync(record.Source, record.SubscriptionId, cancellationToken).ConfigureAwait(false);
        return await _records.RemoveSubscriptionAsync(record.SubscriptionId, cancellationToken).ConfigureAwait(false);
    }

    private async Task TryDeleteAtServiceAsync(string source, string subscriptionId)
    {
        try
        {
            await _service.DeleteAsync(source, subscriptionId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (StorageException e)
        {
            WebhookLogs.DeleteFailed(_log, subscriptionId, e.Message);
        }
    }
}
