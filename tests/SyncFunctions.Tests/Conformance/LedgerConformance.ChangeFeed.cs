using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Conformance;

/// <summary>Change-feed staging, the item-id tree and the folder listing of the baseline.</summary>
public abstract partial class LedgerConformance
{
    /// <summary>Item ids as services spell them ('!' in Graph ids) plus characters table keys cannot hold.</summary>
    protected static readonly string[] AwkwardItemIds =
    [
        "01ABCDEFGHIJKLMNOPQRSTUVWXYZ!123", "01ABCDEFGHIJKLMNOPQRSTUVWXYZ!12", "01abcdef!9", "a/b", "a\\b", "#x", "?q", "~t", "[x]",
        "ä", "e😀", "e\uFFFD", "Z", "0", "id with space", "!", "\u00A0",
    ];

    [Fact]
    public async Task StageChangesAsync_SameItemReportedAgain_LastReportWins()
    {
        var ledger = await CreateLedgerAsync();
        var runId = NewId();
        await ledger.StageChangesAsync(runId, [Change("a", 1), Change("b", 2)], Ct);

        await ledger.StageChangesAsync(runId, [Change("b", 3), Change("c", 4), Change("c", 5) with { IsDeleted = true, Name = null }], Ct);

        var staged = await ToListAsync(ledger.ListStagedChangesAsync(runId, Ct));
        Assert.Equal([Change("a", 1), Change("b", 3), Change("c", 5) with { IsDeleted = true, Name = null }], staged);
    }

    [Fact]
    public async Task ListStagedChangesAsync_AwkwardIds_RoundTripsInOrdinalIdOrder()
    {
        var ledger = await CreateLedgerAsync();
        var runId = NewId();
        var items = AwkwardItemIds.Select((id, i) => Change(id, i)).ToList();

        await ledger.StageChangesAsync(runId, items.AsEnumerable().Reverse().ToList(), Ct);
        var staged = await ToListAsync(ledger.ListStagedChangesAsync(runId, Ct));

        Assert.Equal(items.OrderBy(c => c.ItemId, StringComparer.Ordinal), staged);
    }

    [Fact]
    public async Task ListStagedChangesAsync_MoreItemsThanOnePage_StreamsAllInIdOrder()
    {
        var ledger = await CreateLedgerAsync();
        var runId = NewId();
        var items = Enumerable.Range(0, 1_150).Select(i => Change($"01ITEM!{i * 7919 % 1_150}", i)).ToList();
        foreach (var page in items.Chunk(200))
        {
            await ledger.StageChangesAsync(runId, page, Ct);
        }

        var staged = await ToListAsync(ledger.ListStagedChangesAsync(runId, Ct));

        Assert.Equal(items.OrderBy(c => c.ItemId, StringComparer.Ordinal), staged);
    }

    [Fact]
    public async Task DeleteStagedChangesAsync_ManyItems_EmptiesOnlyThatRun()
    {
        var ledger = await CreateLedgerAsync();
        string runA = NewId(), runB = NewId();
        await ledger.StageChangesAsync(runA, Enumerable.Range(0, 1_050).Select(i => Change($"item {i}", i)).ToList(), Ct);
        await ledger.StageChangesAsync(runB, [Change("kept", 1)], Ct);

        await ledger.DeleteStagedChangesAsync(runA, Ct);
        await ledger.DeleteStagedChangesAsync(NewId(), Ct);

        Assert.Empty(await ToListAsync(ledger.ListStagedChangesAsync(runA, Ct)));
        Assert.Equal([Change("kept", 1)], await ToListAsync(ledger.ListStagedChangesAsync(runB, Ct)));
    }

    [Fact]
    public async Task ApplyTreeAsync_UpsertThenRenameAndDelete_GetReturnsCurrentRows()
    {
        var ledger = await CreateLedgerAsync();
        string pairId = NewId(), otherPair = NewId();
        var root = Tree(pairId, "root!0", null, "root", true);
        var folder = Tree(pairId, "01F!1", "root!0", "docs ä", true);
        var file = Tree(pairId, "01F!2", "01F!1", "a#?.txt", false);
        await ledger.ApplyTreeAsync(pairId, [root, folder, file, Tree(pairId, "01F!3", "01F!1", "gone", false)], [], Ct);

        await ledger.ApplyTreeAsync(pairId, [folder with { Name = "renamed" }, Tree(pairId, "01F!4", "root!0", "both", false)], ["01F!3", "01F!4", "never-there"], Ct);

        Assert.Equal(root, await ledger.GetTreeEntryAsync(pairId, "root!0", Ct));
        Assert.Equal(folder with { Name = "renamed" }, await ledger.GetTreeEntryAsync(pairId, "01F!1", Ct));
        Assert.Equal(file, await ledger.GetTreeEntryAsync(pairId, "01F!2", Ct));
        Assert.Null(await ledger.GetTreeEntryAsync(pairId, "01F!3", Ct));
        Assert.Null(await ledger.GetTreeEntryAsync(pairId, "01F!4", Ct));
        Assert.Null(await ledger.GetTreeEntryAsync(otherPair, "01F!2", Ct));
    }

    [Fact]
    public async Task ApplyTreeAsync_ManyRowsWithAwkwardIds_StoresEveryRow()
    {
        var ledger = await CreateLedgerAsync();
        var pairId = NewId();
        var entries = AwkwardItemIds.Concat(Enumerable.Range(0, 230).Select(i => $"01BULK!{i}"))
            .Select((id, i) => Tree(pairId, id, i == 0 ? null : "01BULK!0", $"name {i}", i % 2 == 0))
            .ToList();

        await ledger.ApplyTreeAsync(pairId, entries, [], Ct);

        foreach (var entry in entries.Where((_, i) => i < AwkwardItemIds.Length || i % 50 == 0 || i == entries.Count - 1))
        {
            Assert.Equal(entry, await ledger.GetTreeEntryAsync(pairId, entry.ItemId, Ct));
        }
    }

    [Fact]
    public async Task ListBaselineUnderAsync_Folder_ReturnsExactlyItsRowsInOrdinalOrder()
    {
        var ledger = await CreateLedgerAsync();
        string pairId = NewId(), otherPair = NewId();
        string[] under =
        [
            "a/b/c", "a/b/d e", "a/b/#", "a/b/ä", "a/b/e/😀", "a/b/\uFFFD", "a/b/\uE000", "a/b/x/deep/er", "a/b/ ", "a/b/!",
            "a/b/" + new string('L', 600), "a/b/" + new string('%', 300),

            // The longest path whose key fits (4 + 2 for the escaped '/' + 506 = 512) and the shortest that does not.
            "a/b/" + new string('M', 506), "a/b/" + new string('M', 507),
        ];
        string[] outside = ["a", "a/b", "a/bc", "a/bc/x", "a/b-", "a/b.txt", "a/b0", "a/b0/x", "a/a/b/c", "b/a/b/c", "a/bc/" + new string('L', 600), "A/b/c"];
        var all = under.Concat(outside).Select((p, i) => Baseline(pairId, p, i)).ToList();
        await ledger.ApplyBaselineAsync(pairId, all, [], Ct);
        await ledger.ApplyBaselineAsync(otherPair, [Baseline(otherPair, "a/b/c", 1)], [], Ct);

        var listed = await ToListAsync(ledger.ListBaselineUnderAsync(pairId, "a/b", Ct));

        Assert.Equal(under.Order(StringComparer.Ordinal), listed.Select(e => e.Path));
        Assert.Equal(all.Where(e => under.Contains(e.Path)).OrderBy(e => e.Path, StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task ListBaselineUnderAsync_AwkwardAndOverlongFolders_ReturnsTheirRows()
    {
        var ledger = await CreateLedgerAsync();
        var pairId = NewId();
        var longFolder = "deep/" + new string('ü', 520);
        string[] paths = ["日本 #?/x", "日本 #?/y/z", "日本 #?!", "日本 #?0", longFolder + "/a", longFolder + "/b/c", longFolder + "0", longFolder];
        await ledger.ApplyBaselineAsync(pairId, paths.Select((p, i) => Baseline(pairId, p, i)).ToList(), [], Ct);

        var awkward = await ToListAsync(ledger.ListBaselineUnderAsync(pairId, "日本 #?", Ct));
        var overlong = await ToListAsync(ledger.ListBaselineUnderAsync(pairId, longFolder, Ct));
        var missing = await ToListAsync(ledger.ListBaselineUnderAsync(pairId, "nope", Ct));

        Assert.Equal(["日本 #?/x", "日本 #?/y/z"], awkward.Select(e => e.Path));
        Assert.Equal([longFolder + "/a", longFolder + "/b/c"], overlong.Select(e => e.Path));
        Assert.Empty(missing);
    }

    [Fact]
    public async Task ListBaselineUnderAsync_MoreRowsThanOnePage_StreamsAllInOrder()
    {
        var ledger = await CreateLedgerAsync();
        var pairId = NewId();
        var under = Enumerable.Range(0, 1_050).Select(i => $"big/{i % 9}/f{i}").ToList();
        var entries = under.Concat(["big", "big0", "bi/g", "c"]).Select((p, i) => Baseline(pairId, p, i)).ToList();
        foreach (var batch in entries.Chunk(500))
        {
            await ledger.ApplyBaselineAsync(pairId, batch, [], Ct);
        }

        var listed = await ToListAsync(ledger.ListBaselineUnderAsync(pairId, "big", Ct));

        Assert.Equal(under.Order(StringComparer.Ordinal), listed.Select(e => e.Path));
    }

    /// <summary>Every optional field set on some items and not on others; n varies the values.</summary>
    protected static ChangeItem Change(string itemId, int n) => new()
    {
        ItemId = itemId,
        ParentId = n % 5 == 0 ? null : $"01PARENT!{n % 3}",
        Name = $"file {n} ä#?.txt",
        IsFolder = n % 4 == 1,
        IsRoot = n % 5 == 0,
        Size = n * 1_000_000_007L,
        LastModified = n % 6 == 3 ? default : T0.AddTicks(n),
        ETag = $"\"{{E{n}}},1\"",
        CTag = n % 2 == 0 ? null : $"\"c:{{E{n}}},2\"",
        QuickXorHash = n % 3 == 0 ? null : "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        Sha256 = n % 2 == 0 ? null : new string('a', 64),
        Sha1 = n % 2 == 0 ? null : new string('b', 40),
    };

    protected static TreeEntry Tree(string pairId, string itemId, string? parentId, string name, bool isFolder) =>
        new() { PairId = pairId, ItemId = itemId, ParentId = parentId, Name = name, IsFolder = isFolder };
}
