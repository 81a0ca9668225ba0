using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Conformance;

/// <summary>Baseline and carry-over: canonical order, awkward and over-long paths, upsert and delete.</summary>
public abstract partial class LedgerConformance
{
    /// <summary>Valid relative paths whose table keys need escaping, plus paths at and over the 1 KiB key limit.</summary>
    protected static readonly string[] AwkwardPaths =
    [
        "a", "a-b", "a/x", "a/b/c", "A", "ä", "a\u0308", "日本/ファイル", " x", "x.", "#", "%", "a b", "?q", "~t", "[x]", "back]",
        "e/😀", "\u00A0nbsp", "!bang", ">gt", "\uFFFD", "zz/" + new string('L', 600), "zz/" + new string('L', 599) + "M", "zz/" + new string('L', 300),
        "\u00BFq", "zz/" + new string('L', 508), "zz/" + new string('L', 509),
    ];

    [Fact]
    public async Task ListBaselineAsync_AwkwardAndOverlongPaths_StreamsInOrdinalOrder()
    {
        var ledger = await CreateLedgerAsync();
        var pairId = NewId();
        var entries = AwkwardPaths.Select((p, i) => Baseline(pairId, p, i)).ToList();

        await ledger.ApplyBaselineAsync(pairId, entries.AsEnumerable().Reverse().ToList(), [], Ct);
        var listed = await ToListAsync(ledger.ListBaselineAsync(pairId, Ct));

        Assert.Equal(AwkwardPaths.Order(StringComparer.Ordinal), listed.Select(e => e.Path));
        Assert.Equal(entries.OrderBy(e => e.Path, StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task GetBaselineAsync_OverlongPath_ReturnsTheEntry()
    {
        var ledger = await CreateLedgerAsync();
        var pairId = NewId();
        var path = "deep/" + new string('ü', 700);
        await ledger.ApplyBaselineAsync(pairId, [Baseline(pairId, path, 1)], [], Ct);

        Assert.Equal(Baseline(pairId, path, 1), await ledger.GetBaselineAsync(pairId, path, Ct));
        Assert.Null(await ledger.GetBaselineAsync(pairId, path + "x", Ct));
    }

    [Fact]
    public async Task ApplyBaselineAsync_UpsertAndDelete_ReplacesAndRemovesRows()
    {
        var ledger = await CreateLedgerAsync();
        var pairId = NewId();
        var longPath = "zz/" + new string('L', 600);
        await ledger.ApplyBaselineAsync(pairId, [Baseline(pairId, "a", 1), Baseline(pairId, "b", 2), Baseline(pairId, longPath, 3)], [], Ct);

        await ledger.ApplyBaselineAsync(pairId, [Baseline(pairId, "b", 20), Baseline(pairId, "c", 4)], ["a", longPath, "never-there"], Ct);

        var listed = await ToListAsync(ledger.ListBaselineAsync(pairId, Ct));
        Assert.Equal([Baseline(pairId, "b", 20), Baseline(pairId, "c", 4)], listed);
        Assert.Null(await ledger.GetBaselineAsync(pairId, longPath, Ct));
    }

    [Fact]
    public async Task ListBaselineAsync_MoreRowsThanOnePage_StreamsAllInOrder()
    {
        var ledger = await CreateLedgerAsync();
        var pairId = NewId();
        var entries = Enumerable.Range(0, 1_150).Select(i => Baseline(pairId, $"d{i % 7}/f{i}", i)).ToList();
        foreach (var batch in entries.Chunk(500))
        {
            await ledger.ApplyBaselineAsync(pairId, batch, [], Ct);
        }

        var listed = await ToListAsync(ledger.ListBaselineAsync(pairId, Ct));

        Assert.Equal(entries.Select(e => e.Path).Order(StringComparer.Ordinal), listed.Select(e => e.Path));
    }

    [Fact]
    public async Task ListBaselineAsync_OtherPair_IsNotSeen()
    {
        var ledger = await CreateLedgerAsync();
        string pairA = NewId(), pairB = NewId();
        await ledger.ApplyBaselineAsync(pairA, [Baseline(pairA, "a", 1), Baseline(pairA, "zz/" + new string('L', 600), 2)], [], Ct);

        Assert.Empty(await ToListAsync(ledger.ListBaselineAsync(pairB, Ct)));
    }

    [Fact]
    public async Task ApplyCarryOverAsync_UpsertAndRemove_ListsRemainingInPathOrder()
    {
        var ledger = await CreateLedgerAsync();
        var pairId = NewId();
        var failed = CarryOver(pairId, "z/failed #1", CarryOverReason.Failed);
        var held = CarryOver(pairId, "a/held ä", CarryOverReason.HeldBackDelete);
        var gone = CarryOver(pairId, "m", CarryOverReason.Failed);
        var overlong = CarryOver(pairId, "q/" + new string('L', 600), CarryOverReason.Failed);

        await ledger.ApplyCarryOverAsync(pairId, [failed, held, gone, overlong], [], Ct);
        await ledger.ApplyCarryOverAsync(pairId, [failed with { Message = "again" }], ["m"], Ct);

        var listed = await ToListAsync(ledger.ListCarryOverAsync(pairId, Ct));
        Assert.Equal([held, overlong, failed with { Message = "again" }], listed);
        Assert.Empty(await ToListAsync(ledger.ListCarryOverAsync(NewId(), Ct)));
    }

    protected static BaselineEntry Baseline(string pairId, string path, int n) => new()
    {
        PairId = pairId,
        Path = path,
        Size = n * 10L,
        LastModified = T0.AddTicks(n),
        SourceVersion = n % 3 == 0 ? null : $"{n * 10}:{T0.AddTicks(n).UtcTicks}",
        Sha256 = n % 2 == 0 ? null : Convert.ToHexStringLower(BitConverter.GetBytes((long)n)).PadRight(64, '0'),
        SourceItemId = n % 4 == 0 ? null : $"item {n}",
        SourceParentId = n % 4 == 0 ? null : "parent/ä",
        DestETag = $"\"0x8D{n:X}\"",
    };

    protected static CarryOverEntry CarryOver(string pairId, string path, CarryOverReason reason) => new()
    {
        PairId = pairId,
        Path = path,
        Reason = reason,
        Message = "reason: " + path[..Math.Min(10, path.Length)],
        RunId = "run-1",
        Since = T0,
    };
}
