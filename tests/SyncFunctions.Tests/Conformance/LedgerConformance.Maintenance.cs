using SyncFunctions.Abstractions;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Conformance;

/// <summary>Maintenance: staging areas listed and dropped, whole runs removed.</summary>
public abstract partial class LedgerConformance
{
    [Fact]
    public async Task DeleteRunAsync_RunWithItemsActionsAndStaging_RemovesExactlyThatRun()
    {
        var ledger = await CreateLedgerAsync();
        var pairId = NewId();
        var (gone, kept) = (await SeedRunAsync(ledger, pairId), await SeedRunAsync(ledger, pairId));

        var removal = await ledger.DeleteRunAsync(gone, Ct);

        Assert.Equal(new RunRemoval(true, 2, 5), removal);
        Assert.Null(await ledger.GetRunAsync(pairId, gone.RunId, Ct));
        Assert.Empty(await ToListAsync(ledger.ListWorkItemsAsync(gone.RunId, Ct)));
        Assert.Empty(await ledger.GetActionsAsync(gone.RunId, "000000", Ct));
        Assert.Empty(await ToListAsync(ledger.ListStagedChangesAsync(gone.RunId, Ct)));
        Assert.DoesNotContain(ledger.StagingAreaOf(gone.RunId), await ToListAsync(ledger.ListStagingAreasAsync(Ct)));

        Assert.NotNull(await ledger.GetRunAsync(pairId, kept.RunId, Ct));
        Assert.Equal(2, (await ToListAsync(ledger.ListWorkItemsAsync(kept.RunId, Ct))).Count);
        Assert.Equal(3, (await ledger.GetActionsAsync(kept.RunId, "000000", Ct)).Count);
        Assert.Single(await ToListAsync(ledger.ListStagedChangesAsync(kept.RunId, Ct)));
    }

    [Fact]
    public async Task DeleteRunAsync_RunChangedSinceRead_KeepsTheRunRowAndIsIdempotent()
    {
        var ledger = await CreateLedgerAsync();
        var run = await SeedRunAsync(ledger, NewId());
        Assert.NotNull(await ledger.TryUpdateRunAsync(run with { Error = "touched" }, Ct));

        var first = await ledger.DeleteRunAsync(run, Ct);
        var second = await ledger.DeleteRunAsync(run, Ct);

        Assert.Equal(new RunRemoval(false, 2, 5), first);
        Assert.Equal(new RunRemoval(false, 0, 0), second);
        Assert.Equal("touched", (await ledger.GetRunAsync(run.PairId, run.RunId, Ct))!.Error);
    }

    [Fact]
    public async Task StagingAreas_StagedRun_ListedUnderItsAreaAndDroppedOnce()
    {
        var ledger = await CreateLedgerAsync();
        var runId = NewId();
        await ledger.StageChangesAsync(runId, [new ChangeItem { ItemId = "i1", Name = "a.txt" }], Ct);
        var area = ledger.StagingAreaOf(runId);

        Assert.Contains(area, await ToListAsync(ledger.ListStagingAreasAsync(Ct)));
        Assert.DoesNotContain(ledger.StagingAreaOf(NewId()), await ToListAsync(ledger.ListStagingAreasAsync(Ct)));
        Assert.True(await ledger.DeleteStagingAreaAsync(area, Ct));
        Assert.False(await ledger.DeleteStagingAreaAsync(area, Ct));
        Assert.Empty(await ToListAsync(ledger.ListStagedChangesAsync(runId, Ct)));
        Assert.DoesNotContain(area, await ToListAsync(ledger.ListStagingAreasAsync(Ct)));
    }

    /// <summary>An ended run with two items (3 and 2 actions) and one staged change.</summary>
    private static async Task<RunRecord> SeedRunAsync(ILedger ledger, string pairId)
    {
        var run = await ledger.CreateRunAsync(new RunRecord { PairId = pairId, RunId = NewId(), Status = RunStatus.Succeeded, CreatedAt = T0, EndedAt = T0 }, Ct);
        await ledger.AddWorkItemAsync(Item(run.RunId, "000000", 3), Actions(run.RunId, "000000", 3), Ct);
        await ledger.AddWorkItemAsync(Item(run.RunId, "000001", 2), Actions(run.RunId, "000001", 2), Ct);
        await ledger.StageChangesAsync(run.RunId, [new ChangeItem { ItemId = "x", Name = "x.txt" }], Ct);
        return run;
    }
}
