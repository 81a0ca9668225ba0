using SyncFunctions.Abstractions;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Conformance;

/// <summary>Work items and actions.</summary>
public abstract partial class LedgerConformance
{
    [Fact]
    public async Task InsertPlan_OutOfOrder_ListsItemsInIdOrderWithActionsInIdOrder()
    {
        var ledger = await CreateLedgerAsync();
        var runId = NewId();
        foreach (var id in new[] { "000002", "000000", "000010", "000001" })
        {
            await ledger.AddWorkItemAsync(Item(runId, id, 3), Actions(runId, id, 3), Ct);
        }

        var items = await ToListAsync(ledger.ListWorkItemsAsync(runId, Ct));
        var actions = await ledger.GetActionsAsync(runId, "000010", Ct);

        Assert.Equal(["000000", "000001", "000002", "000010"], items.Select(i => i.ItemId));
        Assert.All(items, i => Assert.NotNull(i.ETag));
        Assert.Equal(["000", "001", "002"], actions.Select(a => a.ActionId));
        Assert.Equal(Actions(runId, "000010", 3), actions.Select(a => a with { ETag = null }));
    }

    [Fact]
    public async Task InsertPlan_SameItemTwice_IsIdempotent()
    {
        var ledger = await CreateLedgerAsync();
        var runId = NewId();

        await ledger.AddWorkItemAsync(Item(runId, "000000", 2), Actions(runId, "000000", 2), Ct);
        var again = await ledger.AddWorkItemAsync(Item(runId, "000000", 2), Actions(runId, "000000", 2), Ct);

        var items = await ToListAsync(ledger.ListWorkItemsAsync(runId, Ct));
        Assert.Equal(Item(runId, "000000", 2), Assert.Single(items) with { ETag = null });
        Assert.Equal(again.ETag, items[0].ETag);
        Assert.Equal(2, (await ledger.GetActionsAsync(runId, "000000", Ct)).Count);
    }

    [Fact]
    public async Task TryInsertActionsAsync_OneRowExists_ReturnsFalseAndWritesNoneOfTheBatch()
    {
        var ledger = await CreateLedgerAsync();
        var runId = NewId();
        var actions = Actions(runId, "000000", 3);
        Assert.True(await ledger.TryInsertActionsAsync([actions[1]], Ct));

        var inserted = await ledger.TryInsertActionsAsync(actions, Ct);

        Assert.False(inserted);
        Assert.Equal(["001"], (await ledger.GetActionsAsync(runId, "000000", Ct)).Select(a => a.ActionId));
    }

    [Fact]
    public async Task TryInsertWorkItemAsync_ItemExists_ReturnsNullAndKeepsTheFirst()
    {
        var ledger = await CreateLedgerAsync();
        var runId = NewId();
        var first = await ledger.TryInsertWorkItemAsync(Item(runId, "000000", 2), Ct);

        var second = await ledger.TryInsertWorkItemAsync(Item(runId, "000000", 5), Ct);

        Assert.NotNull(first?.ETag);
        Assert.Null(second);
        Assert.Equal(2, (await ledger.GetWorkItemAsync(runId, "000000", Ct))!.ActionCount);
    }

    [Fact]
    public async Task ListWorkItemRangeAsync_HalfOpenRange_ListsOnlyItemsInItInIdOrder()
    {
        var ledger = await CreateLedgerAsync();
        var runId = NewId();
        foreach (var id in new[] { "000003", "000001.r0001", "000001", "000002", "000001.r0000" })
        {
            await ledger.TryInsertWorkItemAsync(Item(runId, id, 1), Ct);
        }

        var ranged = await ToListAsync(ledger.ListWorkItemRangeAsync(runId, "000001.r", "000001.s", Ct));
        var middle = await ToListAsync(ledger.ListWorkItemRangeAsync(runId, "000001", "000003", Ct));

        Assert.Equal(["000001.r0000", "000001.r0001"], ranged.Select(i => i.ItemId));
        Assert.Equal(["000001", "000001.r0000", "000001.r0001", "000002"], middle.Select(i => i.ItemId));
    }

    [Fact]
    public async Task GetWorkItemAsync_MissingOrOtherRun_ReturnsNull()
    {
        var ledger = await CreateLedgerAsync();
        var runId = NewId();
        await ledger.AddWorkItemAsync(Item(runId, "000000", 1), Actions(runId, "000000", 1), Ct);

        Assert.Null(await ledger.GetWorkItemAsync(runId, "000001", Ct));
        Assert.Null(await ledger.GetWorkItemAsync(NewId(), "000000", Ct));
        Assert.Empty(await ledger.GetActionsAsync(NewId(), "000000", Ct));
    }

    [Fact]
    public async Task TryUpdateWorkItemAsync_CurrentThenStale_SecondClaimLoses()
    {
        var ledger = await CreateLedgerAsync();
        var runId = NewId();
        var item = await ledger.AddWorkItemAsync(Item(runId, "000000", 1), Actions(runId, "000000", 1), Ct);

        var first = await ledger.TryUpdateWorkItemAsync(item with { Status = WorkStatus.Claimed, LeaseOwner = "w1", LeaseExpires = T0 }, Ct);
        var second = await ledger.TryUpdateWorkItemAsync(item with { Status = WorkStatus.Claimed, LeaseOwner = "w2", LeaseExpires = T0 }, Ct);

        Assert.NotNull(first);
        Assert.Null(second);
        var stored = await ledger.GetWorkItemAsync(runId, "000000", Ct);
        Assert.Equal(("w1", T0, first.ETag), (stored!.LeaseOwner, stored.LeaseExpires, stored.ETag));
    }

    [Fact]
    public async Task TryUpdateActionsAsync_AllCurrent_UpdatesEveryAction()
    {
        var ledger = await CreateLedgerAsync();
        var runId = NewId();
        await ledger.AddWorkItemAsync(Item(runId, "000000", 3), Actions(runId, "000000", 3), Ct);
        var actions = await ledger.GetActionsAsync(runId, "000000", Ct);

        var updated = await ledger.TryUpdateActionsAsync(actions.Select(a => a with { Status = ActionStatus.Done, ResultDestETag = "\"e\"" }).ToList(), Ct);

        Assert.NotNull(updated);
        Assert.All(updated, (a, i) => Assert.NotEqual(actions[i].ETag, a.ETag));
        var stored = await ledger.GetActionsAsync(runId, "000000", Ct);
        Assert.All(stored, a => Assert.Equal((ActionStatus.Done, "\"e\""), (a.Status, a.ResultDestETag)));
        Assert.Equal(updated.Select(a => a.ETag), stored.Select(a => a.ETag));
    }

    [Fact]
    public async Task TryUpdateActionsAsync_OneStale_WritesNothing()
    {
        var ledger = await CreateLedgerAsync();
        var runId = NewId();
        await ledger.AddWorkItemAsync(Item(runId, "000000", 3), Actions(runId, "000000", 3), Ct);
        var actions = await ledger.GetActionsAsync(runId, "000000", Ct);
        await ledger.TryUpdateActionsAsync([actions[1] with { Attempts = 1 }], Ct);

        var result = await ledger.TryUpdateActionsAsync(actions.Select(a => a with { Status = ActionStatus.Failed }).ToList(), Ct);

        Assert.Null(result);
        var stored = await ledger.GetActionsAsync(runId, "000000", Ct);
        Assert.All(stored, a => Assert.Equal(ActionStatus.Pending, a.Status));
        Assert.Equal(1, stored[1].Attempts);
    }

    protected static WorkItemRecord Item(string runId, string itemId, int actions) => new()
    {
        RunId = runId,
        ItemId = itemId,
        Kind = WorkItemKind.SmallBatch,
        ActionCount = actions,
        TotalBytes = actions * 1000L,
    };

    protected static List<ActionRecord> Actions(string runId, string itemId, int count) =>
        Enumerable.Range(0, count).Select(i => new ActionRecord
        {
            RunId = runId,
            ItemId = itemId,
            ActionId = i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture),
            Kind = i % 2 == 0 ? ActionKind.Upload : ActionKind.Delete,
            Path = $"dir #{i}/ä?{i}",
            SourceSize = 1000 + i,
            SourceLastModified = T0.AddSeconds(i),
            SourceVersion = $"\"0x{i}\"",
            SourceSha256 = i == 0 ? null : new string('c', 64),
            SourceItemId = $"item-{i}",
            SourceParentId = "parent",
            ExpectedDestETag = i == 0 ? null : "\"0xD\"",
            VerifyHashFirst = i == 1,
            KnownSha256 = i == 1 ? new string('b', 64) : null,
            DestinationETag = null,
            Checkpoint = i == 2 ? "chunks:3" : null,
        }).ToList();
}
