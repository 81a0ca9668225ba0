using SyncFunctions.Abstractions;
using SyncFunctions.Tests.Fakes;
using SyncFunctions.Azure;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Azure;

/// <summary>TableLedger behaviour on Azurite beyond the shared ledger conformance suite.</summary>
[Collection("azurite")]
public sealed class TableLedgerTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private readonly global::SyncFunctions.Azure.AzureStorageConnection _connection = azurite.Connect();
    private TableLedger _ledger = null!;

    public async Task InitializeAsync()
    {
        _ledger = TableLedger.Create(_connection, AzuriteFixture.NewTablePrefix());
        await _ledger.InitializeAsync(Ct);
    }

    public Task DisposeAsync()
    {
        _connection.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task TryUpdatePairAsync_StaleETag_ReturnsNullAndKeepsWinner()
    {
        var created = await _ledger.GetOrCreatePairAsync(new PairRecord("p1", "local:/a", "blob:b", CreatedAt: T0), Ct);
        var winner = await _ledger.TryUpdatePairAsync(created with { ActiveRunId = "r1" }, Ct);

        var loser = await _ledger.TryUpdatePairAsync(created with { ActiveRunId = "r2" }, Ct);

        Assert.Null(loser);
        Assert.NotNull(winner);
        Assert.Equal(winner, await _ledger.GetPairAsync("p1", Ct));
    }

    [Fact]
    public async Task GetOrCreatePairAsync_Existing_ReturnsStoredNotTemplate()
    {
        var first = await _ledger.GetOrCreatePairAsync(new PairRecord("p1", "src", "dst", Cursor: "c1"), Ct);

        var second = await _ledger.GetOrCreatePairAsync(new PairRecord("p1", "src", "dst"), Ct);

        Assert.Equal(first, second);
        Assert.Equal("c1", second.Cursor);
    }

    [Fact]
    public async Task TryUpdateRunAsync_WithoutETag_InsertsOnlyWhenAbsent()
    {
        var run = new RunRecord { PairId = "p1", RunId = "r1", CreatedAt = T0 };

        var inserted = await _ledger.TryUpdateRunAsync(run, Ct);
        var again = await _ledger.TryUpdateRunAsync(run, Ct);

        Assert.NotNull(inserted?.ETag);
        Assert.Null(again);
    }

    [Fact]
    public async Task CreateRunAsync_Twice_ThrowsPreconditionFailed()
    {
        var run = new RunRecord { PairId = "p1", RunId = "r1" };
        await _ledger.CreateRunAsync(run, Ct);

        var e = await Assert.ThrowsAsync<StorageException>(() => _ledger.CreateRunAsync(run, Ct));

        Assert.Equal(StorageErrorKind.PreconditionFailed, e.Kind);
    }

    [Fact]
    public async Task FindRunAsync_AndListRuns_FindRunsAcrossPairs()
    {
        await _ledger.CreateRunAsync(new RunRecord { PairId = "p1", RunId = "r1" }, Ct);
        await _ledger.CreateRunAsync(new RunRecord { PairId = "p2", RunId = "r2" }, Ct);
        await _ledger.CreateRunAsync(new RunRecord { PairId = "p2", RunId = "r3" }, Ct);

        var found = await _ledger.FindRunAsync("r2", Ct);
        var missing = await _ledger.FindRunAsync("nope", Ct);
        var ofP2 = await _ledger.ListRunsAsync("p2", Ct).Select(r => r.RunId).ToListAsync();
        var all = await _ledger.ListRunsAsync(null, Ct).Select(r => r.RunId).ToListAsync();

        Assert.Equal("p2", found?.PairId);
        Assert.Null(missing);
        Assert.Equal(["r2", "r3"], ofP2);
        Assert.Equal(["r1", "r2", "r3"], all.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TryUpdateActionsAsync_CurrentETags_UpdatesAllAndReturnsUsableETags()
    {
        var actions = await AddItemAsync("i1", 3);
        var claimed = await _ledger.TryUpdateActionsAsync(actions.Select(a => a with { Status = ActionStatus.Claimed }).ToList(), Ct);

        var done = await _ledger.TryUpdateActionsAsync(claimed!.Select(a => a with { Status = ActionStatus.Done, BytesDone = 5 }).ToList(), Ct);

        Assert.NotNull(done);
        Assert.Equal(done, await _ledger.GetActionsAsync("r1", "i1", Ct));
    }

    [Fact]
    public async Task TryUpdateActionsAsync_OneStaleETag_ReturnsNullAndWritesNothing()
    {
        var actions = await AddItemAsync("i1", 3);
        var other = await _ledger.TryUpdateActionsAsync([actions[1] with { Attempts = 1 }], Ct);

        var result = await _ledger.TryUpdateActionsAsync(actions.Select(a => a with { Status = ActionStatus.Done }).ToList(), Ct);

        Assert.Null(result);
        var stored = await _ledger.GetActionsAsync("r1", "i1", Ct);
        Assert.All(stored, a => Assert.Equal(ActionStatus.Pending, a.Status));
        Assert.Equal(other![0], stored[1]);
    }

    [Fact]
    public async Task TryUpdateActionsAsync_TwoItemsOrOver100_ThrowsArgumentException()
    {
        var first = await AddItemAsync("i1", 1);
        var second = await AddItemAsync("i2", 1);
        var many = Enumerable.Range(0, 101).Select(i => first[0] with { ActionId = $"{i:D4}" }).ToList();

        await Assert.ThrowsAsync<ArgumentException>(() => _ledger.TryUpdateActionsAsync([first[0], second[0]], Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _ledger.TryUpdateActionsAsync(many, Ct));
    }

    [Fact]
    public async Task TryInsertActionsAsync_MoreThanOneTransaction_IsRejected()
    {
        var actions = Enumerable.Range(0, 101).Select(i => Action("i1", i)).ToList();

        await Assert.ThrowsAsync<ArgumentException>(() => _ledger.TryInsertActionsAsync(actions, Ct));
        Assert.Empty(await _ledger.GetActionsAsync("r1", "i1", Ct));
    }

    [Fact]
    public async Task InsertPlan_150ActionsInTwoTransactions_WritesAllInOrderAndItemLast()
    {
        var actions = Enumerable.Range(0, 150).Select(i => Action("i1", i)).ToList();

        var item = await _ledger.AddWorkItemAsync(new WorkItemRecord { RunId = "r1", ItemId = "i1", ActionCount = 150 }, actions, Ct);

        var stored = await _ledger.GetActionsAsync("r1", "i1", Ct);
        Assert.Equal(actions.Select(a => a.ActionId), stored.Select(a => a.ActionId));
        Assert.Equal(item, await _ledger.GetWorkItemAsync("r1", "i1", Ct));
    }

    [Fact]
    public async Task ListBaselineAsync_WithOverflowPaths_MergesInOrdinalOrder()
    {
        var longA = "m/" + new string('a', 600);
        var longZ = "m/" + new string('z', 600);
        var escaped = "c/" + new string('%', 300); // '%' encodes to two key characters: 602 > 512
        string[] paths = ["z", longZ, "m/b", "a", longA, "m", "m/a", "m0", "m-", escaped, "日本", "😀", "\uE000"];
        await _ledger.ApplyBaselineAsync("p1", paths.Select(Entry).ToList(), [], Ct);

        var listed = await _ledger.ListBaselineAsync("p1", Ct).Select(e => e.Path).ToListAsync();

        Assert.Equal(paths.Order(StringComparer.Ordinal), listed);
        Assert.Equal(Entry(longZ), await _ledger.GetBaselineAsync("p1", longZ, Ct));
        Assert.Null(await _ledger.GetBaselineAsync("p1", "m/" + new string('q', 600), Ct));
    }

    [Fact]
    public async Task ApplyBaselineAsync_250RowsThenDeletesIncludingMissing_AppliesAll()
    {
        var paths = Enumerable.Range(0, 250).Select(i => $"dir/{i:D4}").ToList();
        await _ledger.ApplyBaselineAsync("p1", paths.Select(Entry).ToList(), [], Ct);
        var deletes = paths.Take(120).Append("never-existed").Append("m/" + new string('x', 700)).ToList();

        await _ledger.ApplyBaselineAsync("p1", [Entry("new") with { Size = 9 }], deletes, Ct);

        var listed = await _ledger.ListBaselineAsync("p1", Ct).Select(e => e.Path).ToListAsync();
        Assert.Equal(paths.Skip(120).Append("new").Order(StringComparer.Ordinal), listed);
        Assert.Equal(9, (await _ledger.GetBaselineAsync("p1", "new", Ct))?.Size);
    }

    [Fact]
    public async Task ApplyBaselineAsync_OtherPairs_AreNotListed()
    {
        await _ledger.ApplyBaselineAsync("p1", [Entry("a")], [], Ct);
        await _ledger.ApplyBaselineAsync("p2", [Entry("b") with { PairId = "p2" }], [], Ct);

        var listed = await _ledger.ListBaselineAsync("p1", Ct).Select(e => e.Path).ToListAsync();

        Assert.Equal(["a"], listed);
    }

    [Fact]
    public async Task ApplyCarryOverAsync_UpsertsAndRemoves_ListsRemainingInOrder()
    {
        var longPath = "deep/" + new string('y', 700);
        CarryOverEntry Carry(string path) => new() { PairId = "p1", Path = path, Reason = CarryOverReason.HeldBackDelete, Message = "held", RunId = "r1", Since = T0 };
        await _ledger.ApplyCarryOverAsync("p1", [Carry("b"), Carry(longPath), Carry("a")], [], Ct);

        await _ledger.ApplyCarryOverAsync("p1", [Carry("c") with { Reason = CarryOverReason.Failed }], ["a", "missing"], Ct);

        var listed = await _ledger.ListCarryOverAsync("p1", Ct).ToListAsync();
        Assert.Equal(["b", "c", longPath], listed.Select(e => e.Path));
        Assert.Equal(Carry("c") with { Reason = CarryOverReason.Failed }, listed[1]);
    }

    [Fact]
    public void Constructor_InvalidTablePrefix_Throws()
    {
        Assert.Throws<ArgumentException>(() => TableLedger.Create(_connection, "1bad"));
        Assert.Throws<ArgumentException>(() => TableLedger.Create(_connection, "bad-prefix"));
    }

    [Fact]
    public async Task GetRunAsync_IdWithSlash_ThrowsArgumentExceptionNamingIt()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => _ledger.GetRunAsync("p1", "a/b", Ct));

        Assert.Contains("run id", e.Message, StringComparison.Ordinal);
    }

    private async Task<IReadOnlyList<ActionRecord>> AddItemAsync(string itemId, int count)
    {
        var actions = Enumerable.Range(0, count).Select(i => Action(itemId, i)).ToList();
        await _ledger.AddWorkItemAsync(new WorkItemRecord { RunId = "r1", ItemId = itemId, ActionCount = count }, actions, Ct);
        return await _ledger.GetActionsAsync("r1", itemId, Ct);
    }

    private static ActionRecord Action(string itemId, int index) =>
        new() { RunId = "r1", ItemId = itemId, ActionId = $"{index:D4}", Path = $"f/{itemId}/{index}", SourceSize = index, SourceLastModified = T0 };

    private static BaselineEntry Entry(string path) =>
        new() { PairId = "p1", Path = path, Size = path.Length, LastModified = T0, Sha256 = "00ff", DestETag = "\"0x1\"" };
}
