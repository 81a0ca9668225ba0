using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Conformance;

/// <summary>Subscription records: insert-only by id, CAS updates that never resurrect a removed record, listed by id.</summary>
public abstract partial class LedgerConformance
{
    [Fact]
    public async Task TryAddSubscriptionAsync_IdTaken_ReturnsNullAndKeepsTheFirst()
    {
        var ledger = await CreateLedgerAsync();
        var first = NewSubscription("p-" + NewId());

        var stored = await ledger.TryAddSubscriptionAsync(first, Ct);
        var again = await ledger.TryAddSubscriptionAsync(first with { PairName = "other", ClientState = "other" }, Ct);

        Assert.NotNull(stored?.ETag);
        Assert.Null(again);
        Assert.Equal(stored, await ledger.GetSubscriptionAsync(first.SubscriptionId, Ct));
    }

    [Fact]
    public async Task GetSubscriptionAsync_MissingOrNoKey_ReturnsNull()
    {
        var ledger = await CreateLedgerAsync();

        Assert.Null(await ledger.GetSubscriptionAsync(Guid.NewGuid().ToString(), Ct));
        Assert.Null(await ledger.GetSubscriptionAsync("a/b#c?d", Ct));
        Assert.Null(await ledger.GetSubscriptionAsync("", Ct));
    }

    [Fact]
    public async Task TryUpdateSubscriptionAsync_CurrentThenStaleETag_StoresOnceThenNull()
    {
        var ledger = await CreateLedgerAsync();
        var stored = (await ledger.TryAddSubscriptionAsync(NewSubscription("p-" + NewId()), Ct))!;

        var renewed = await ledger.TryUpdateSubscriptionAsync(stored with { ExpiresAt = T0.AddDays(3) }, Ct);
        var stale = await ledger.TryUpdateSubscriptionAsync(stored with { ExpiresAt = T0.AddDays(9) }, Ct);

        Assert.NotNull(renewed);
        Assert.NotEqual(stored.ETag, renewed.ETag);
        Assert.Null(stale);
        Assert.Equal(renewed, await ledger.GetSubscriptionAsync(stored.SubscriptionId, Ct));
    }

    [Fact]
    public async Task TryUpdateSubscriptionAsync_AfterRemove_ReturnsNullAndStaysRemoved()
    {
        var ledger = await CreateLedgerAsync();
        var stored = (await ledger.TryAddSubscriptionAsync(NewSubscription("p-" + NewId()), Ct))!;

        Assert.True(await ledger.RemoveSubscriptionAsync(stored.SubscriptionId, Ct));
        Assert.False(await ledger.RemoveSubscriptionAsync(stored.SubscriptionId, Ct));
        Assert.Null(await ledger.TryUpdateSubscriptionAsync(stored with { ExpiresAt = T0.AddDays(3) }, Ct));
        Assert.Null(await ledger.GetSubscriptionAsync(stored.SubscriptionId, Ct));
    }

    [Fact]
    public async Task ListSubscriptionsAsync_SeveralRecords_YieldsThemInIdOrder()
    {
        var ledger = await CreateLedgerAsync();
        var pair = "l-" + NewId();
        var records = Enumerable.Range(0, 3).Select(_ => NewSubscription(pair)).ToList();
        foreach (var record in records)
        {
            await ledger.TryAddSubscriptionAsync(record, Ct);
        }

        var listed = new List<SubscriptionRecord>();
        await foreach (var record in ledger.ListSubscriptionsAsync(Ct))
        {
            if (record.PairName == pair)
            {
                listed.Add(record with { ETag = null });
            }
        }

        Assert.Equal(records.OrderBy(r => r.SubscriptionId, StringComparer.Ordinal), listed);
    }

    private static SubscriptionRecord NewSubscription(string pairName) =>
        new(Guid.NewGuid().ToString(), pairName, "pair-" + NewId(), "graph:http://127.0.0.1:1/v1.0|b!d1", "/drives/b!d1/root", "state-" + NewId(), T0.AddDays(2), T0);
}
