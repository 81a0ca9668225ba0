using System.Text.RegularExpressions;
using SyncFunctions.Abstractions;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Orchestration.Tests.Webhooks;

/// <summary>Subscriptions of named pairs: created with the pair, deleted with it, renewed before expiry on a fake clock, recreated when lost.</summary>
public sealed partial class PairSubscriptionsTests
{
    private readonly WebhookHarness _h = new();

    [Fact]
    public async Task AddAsync_SubscribingDrivePairs_EachGetsASubscriptionAtTheWebhookWithItsOwnClientState()
    {
        var a = await _h.AddPairAsync("alpha");
        var b = await _h.AddPairAsync("beta");

        var requests = _h.Service.Created.ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal(new Uri("https://sync.example.test/api/webhooks/graph"), r.NotificationUrl));
        Assert.All(requests, r => Assert.Equal(_h.Time.GetUtcNow() + TimeSpan.FromDays(2), r.ExpiresAt));
        Assert.Equal(["graph:http://127.0.0.1:1/v1.0|d-alpha", "graph:http://127.0.0.1:1/v1.0|d-beta"], requests.Select(r => r.Source));
        Assert.All(requests, r => Assert.Matches(Base64Url(), r.ClientState));
        Assert.Equal([a.ClientState, b.ClientState], requests.Select(r => r.ClientState));
        Assert.NotEqual(a.ClientState, b.ClientState);
        Assert.Equal(("alpha", "/drives/d1/root", "graph:http://127.0.0.1:1/v1.0|d-alpha"), (a.PairName, a.Resource, a.Source));
        Assert.Equal(_h.Time.GetUtcNow(), a.CreatedAt);
    }

    [Fact]
    public async Task AddAsync_SubscribeToALocalSource_400WithAClearMessageAndNothingStored()
    {
        var added = await _h.Pairs.AddAsync(new PairRequest("local", "local:/data", "blob:x", Subscribe: true), default);

        Assert.Equal(ServiceOutcome.Invalid, added.Outcome);
        Assert.Contains("subscribe: change notifications need a Microsoft 365 drive source", added.Problem, StringComparison.Ordinal);
        Assert.Null(await _h.Ledger.GetDefinitionAsync("local", default));
        Assert.Empty(_h.Service.Created);
    }

    [Fact]
    public async Task AddAsync_ServiceRefuses_InvalidAndThePairIsNotKept()
    {
        _h.Service.Fault = _ => new StorageException(StorageErrorKind.Permanent, "Subscription validation request failed");

        var added = await _h.Pairs.AddAsync(new PairRequest("alpha", "graph:http://127.0.0.1:1/v1.0|d1", "blob:x", Subscribe: true), default);

        Assert.Equal(ServiceOutcome.Invalid, added.Outcome);
        Assert.Contains("validation request failed", added.Problem, StringComparison.Ordinal);
        Assert.Null(await _h.Ledger.GetDefinitionAsync("alpha", default));
        Assert.Empty(await _h.RecordsAsync());
    }

    [Fact]
    public async Task AddAsync_ServiceUnavailable_ThrowsAndThePairIsNotKept()
    {
        _h.Service.Fault = _ => new StorageException(StorageErrorKind.Unreachable, "graph: connection refused");

        await Assert.ThrowsAsync<StorageException>(() => _h.Pairs.AddAsync(new PairRequest("alpha", "graph:http://127.0.0.1:1/v1.0|d1", "blob:x", Subscribe: true), default));

        Assert.Null(await _h.Ledger.GetDefinitionAsync("alpha", default));
    }

    [Fact]
    public async Task RemoveAsync_SubscribingPair_DeletesItsSubscriptionAndRecord()
    {
        var a = await _h.AddPairAsync("alpha");
        var b = await _h.AddPairAsync("beta");

        var removed = await _h.Pairs.RemoveAsync("alpha", default);

        Assert.Equal(ServiceOutcome.Ok, removed.Outcome);
        Assert.Equal([a.SubscriptionId], _h.Service.Deleted);
        Assert.Equal([b], await _h.RecordsAsync());
        Assert.Equal([b.SubscriptionId], _h.Service.Live.Keys);
    }

    [Fact]
    public async Task RenewDueAsync_OnAFakeClock_RenewsOnlyWithinTheMarginAndBeforeExpiry()
    {
        var a = await _h.AddPairAsync("alpha");

        var early = await _h.Subscriptions.RenewDueAsync(default);
        _h.Time.Advance(TimeSpan.FromHours(37));
        var due = await _h.Subscriptions.RenewDueAsync(default);

        Assert.Equal(new RenewalStats(1, 0, 0, 0, 0, 0), early);
        Assert.Equal(new RenewalStats(1, 1, 0, 0, 0, 0), due);
        var renewed = Assert.Single(await _h.RecordsAsync());
        Assert.Equal((a.SubscriptionId, _h.Time.GetUtcNow() + TimeSpan.FromDays(2)), (renewed.SubscriptionId, renewed.ExpiresAt));
        _h.Time.Advance(TimeSpan.FromHours(12));
        Assert.True(_h.Time.GetUtcNow() > a.ExpiresAt);
        Assert.True(_h.Service.Live.ContainsKey(a.SubscriptionId) && _h.Service.Live[a.SubscriptionId].ExpiresAt > _h.Time.GetUtcNow());
    }

    [Fact]
    public async Task RenewDueAsync_ServiceLostTheSubscription_RecreatesIt()
    {
        var a = await _h.AddPairAsync("alpha");
        _h.Service.Forget(a.SubscriptionId);
        _h.Time.Advance(TimeSpan.FromDays(1.75));

        var stats = await _h.Subscriptions.RenewDueAsync(default);

        Assert.Equal(new RenewalStats(1, 0, 1, 0, 0, 0), stats);
        var replacement = Assert.Single(await _h.RecordsAsync());
        Assert.NotEqual(a.SubscriptionId, replacement.SubscriptionId);
        Assert.Equal([replacement.SubscriptionId], _h.Service.Live.Keys);
    }

    [Fact]
    public async Task RenewDueAsync_OrphanAndMissing_RemovesTheOrphanAndCreatesTheMissing()
    {
        var orphan = await _h.AddPairAsync("alpha");
        Assert.True(await _h.Ledger.RemoveDefinitionAsync("alpha", default));
        var cliAdded = await _h.Ledger.TryAddDefinitionAsync(new PairDefinition("beta", "pair-beta", "graph:http://127.0.0.1:1/v1.0|d2", "blob:b", Subscribe: true), default);

        var stats = await _h.Subscriptions.RenewDueAsync(default);

        Assert.Equal(new RenewalStats(1, 0, 0, 1, 1, 0), stats);
        var record = Assert.Single(await _h.RecordsAsync());
        Assert.Equal(("beta", cliAdded!.PairId), (record.PairName, record.PairId));
        Assert.Contains(orphan.SubscriptionId, _h.Service.Deleted);
        Assert.Equal([record.SubscriptionId], _h.Service.Live.Keys);
    }

    [Fact]
    public async Task RenewDueAsync_OneRenewalFails_CountsItLogsItAndRenewsTheOthers()
    {
        var a = await _h.AddPairAsync("alpha");
        var b = await _h.AddPairAsync("beta");
        _h.Service.Fault = id => id == a.SubscriptionId ? new StorageException(StorageErrorKind.Throttled, "429 too many requests") : null;
        _h.Time.Advance(TimeSpan.FromDays(1.75));

        var stats = await _h.Subscriptions.RenewDueAsync(default);

        Assert.Equal(new RenewalStats(2, 1, 0, 0, 0, 1), stats);
        Assert.Equal(_h.Time.GetUtcNow() + TimeSpan.FromDays(2), _h.Service.Live[b.SubscriptionId].ExpiresAt);
        Assert.Contains(_h.Log.Entries, e => e.EventId == 4100 && e.Message.Contains(a.SubscriptionId, StringComparison.Ordinal));
        Assert.DoesNotContain(_h.Log.Entries, e => e.Message.Contains(a.ClientState, StringComparison.Ordinal));
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{43}$")]
    private static partial Regex Base64Url();
}
