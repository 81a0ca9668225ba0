using System.Net.Http;
using SyncFunctions.Abstractions;
using SyncFunctions.Azure;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Azure;

/// <summary>
/// TableLedger's change-feed members on Azurite beyond the conformance suite: the requests they cost
/// (a folder listing must not scan the baseline) and the ids they refuse.
/// </summary>
[Collection("azurite")]
public sealed class TableLedgerChangeFeedTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private readonly AzureStorageConnection _connection;
    private readonly FaultInjectingHandler _requests;
    private readonly TableLedger _ledger;

    public TableLedgerChangeFeedTests(AzuriteFixture azurite)
    {
        FaultInjectingHandler? handler = null;
        _connection = azurite.Connect(inner => handler = new FaultInjectingHandler(inner));
        _requests = handler!;
        _ledger = TableLedger.Create(_connection, AzuriteFixture.NewTablePrefix());
    }

    public Task InitializeAsync() => _ledger.InitializeAsync(Ct);

    public Task DisposeAsync()
    {
        _connection.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ListBaselineUnderAsync_LargeBaseline_ReadsOnlyTheFolderRangeAndOverflow()
    {
        var elsewhere = Enumerable.Range(0, 1_200).Select(i => Entry($"a/{i:D4}"));
        var under = new[] { Entry("m/" + new string('L', 600)), Entry("m/x"), Entry("m/y/z") };
        await _ledger.ApplyBaselineAsync("p1", elsewhere.Concat(under).Concat([Entry("m0"), Entry("z")]).ToList(), [], Ct);
        _requests.Reset();

        var listed = await _ledger.ListBaselineUnderAsync("p1", "m", Ct).ToListAsync();

        Assert.Equal(under, listed);
        Assert.Equal(2, _requests.Count(r => r.Method == HttpMethod.Get));
        Assert.Equal(_requests.Requests.Count, _requests.Count(r => r.Method == HttpMethod.Get));
    }

    [Fact]
    public async Task StageChangesAsync_250Items_CreatesTheRunsTableOnceAndSendsThreeTransactions()
    {
        var items = Enumerable.Range(0, 250).Select(i => new ChangeItem { ItemId = $"01X!{i}", Name = $"f{i}", Size = i, LastModified = T0 }).ToList();
        _requests.Reset();

        await _ledger.StageChangesAsync("r1", items, Ct);

        Assert.Equal(3, _requests.Count(r => r.Method == HttpMethod.Post && r.Path.EndsWith("$batch", StringComparison.Ordinal)));
        Assert.Equal(4, _requests.Requests.Count); // + the create of the run's staging table
        Assert.Equal(250, await _ledger.ListStagedChangesAsync("r1", Ct).CountAsync());

        _requests.Reset();
        await _ledger.StageChangesAsync("r1", items.Take(10).ToList(), Ct);
        Assert.Single(_requests.Requests); // created once per run and process
    }

    [Fact]
    public async Task ListStagedChangesAsync_TwoRunsAndARunThatStagedNothing_EachSeesOnlyItsOwn()
    {
        await _ledger.StageChangesAsync("ra", [new ChangeItem { ItemId = "i!a", Name = "a" }], Ct);
        await _ledger.StageChangesAsync("rb", [new ChangeItem { ItemId = "i!b", Name = "b" }, new ChangeItem { ItemId = "i!c", Name = "c" }], Ct);

        Assert.Equal(["i!a"], (await _ledger.ListStagedChangesAsync("ra", Ct).ToListAsync()).Select(i => i.ItemId));
        Assert.Equal(["i!b", "i!c"], (await _ledger.ListStagedChangesAsync("rb", Ct).ToListAsync()).Select(i => i.ItemId));
        Assert.Empty(await _ledger.ListStagedChangesAsync("never", Ct).ToListAsync());
        Assert.NotEqual(TableLedger.StagingTableName("", "run-1"), TableLedger.StagingTableName("", "run1"));
    }

    [Fact]
    public async Task StageChangesAsync_EmptyOrOverlongItemId_ThrowsArgumentException()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _ledger.StageChangesAsync("r1", [new ChangeItem { ItemId = "" }], Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _ledger.StageChangesAsync("r1", [new ChangeItem { ItemId = new string('/', 300) }], Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _ledger.StageChangesAsync("bad/run", [new ChangeItem { ItemId = "i" }], Ct));

        Assert.Empty(await _ledger.ListStagedChangesAsync("r1", Ct).ToListAsync());
    }

    [Fact]
    public async Task ApplyTreeAsync_EntryOfAnotherPair_ThrowsAndWritesNothing()
    {
        var mine = new TreeEntry { PairId = "p1", ItemId = "i!1", Name = "a" };
        var theirs = new TreeEntry { PairId = "p2", ItemId = "i!2", Name = "b" };

        await Assert.ThrowsAsync<ArgumentException>(() => _ledger.ApplyTreeAsync("p1", [mine, theirs], [], Ct));

        Assert.Null(await _ledger.GetTreeEntryAsync("p1", "i!1", Ct));
    }

    [Fact]
    public async Task DeleteStagedChangesAsync_RunOf1050Items_DropsTheRunsTableInOneRequest()
    {
        var items = Enumerable.Range(0, 1_050).Select(i => new ChangeItem { ItemId = $"01Y!{i}" }).ToList();
        await _ledger.StageChangesAsync("r2", items, Ct);
        _requests.Reset();

        await _ledger.DeleteStagedChangesAsync("r2", Ct);

        Assert.Single(_requests.Requests);
        Assert.Equal(HttpMethod.Delete, _requests.Requests[0].Method);
        Assert.Empty(await _ledger.ListStagedChangesAsync("r2", Ct).ToListAsync());

        // Again: an earlier attempt of the run's end dropped it already.
        await _ledger.DeleteStagedChangesAsync("r2", Ct);
    }

    private static BaselineEntry Entry(string path) =>
        new() { PairId = "p1", Path = path, Size = path.Length, LastModified = T0, DestETag = "\"0x1\"" };
}
