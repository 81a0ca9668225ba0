using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Conformance;

/// <summary>Staged changed paths: upsert, take, keep what was staged again, remove what the run took.</summary>
public abstract partial class LedgerConformance
{
    [Fact]
    public async Task StageChangedPathsAsync_AwkwardAndOverlongPaths_ListedOnceInOrdinalOrderUntaken()
    {
        var ledger = await CreateLedgerAsync();
        var pairId = NewId();

        await ledger.StageChangedPathsAsync(pairId, [.. AwkwardPaths.Reverse()], T0, Ct);
        await ledger.StageChangedPathsAsync(pairId, [AwkwardPaths[0], AwkwardPaths[0]], T0.AddSeconds(1), Ct);
        var listed = await ToListAsync(ledger.ListChangedPathsAsync(pairId, Ct));

        Assert.Equal(AwkwardPaths.Order(StringComparer.Ordinal), listed.Select(p => p.Path));
        Assert.All(listed, p => Assert.Null(p.TakenBy));
        Assert.Equal(T0.AddSeconds(1), listed.Single(p => p.Path == AwkwardPaths[0]).StagedAt);
        Assert.Equal(T0, listed.Single(p => p.Path == AwkwardPaths[1]).StagedAt);
    }

    [Fact]
    public async Task StageChangedPathsAsync_TraversalPath_ThrowsInvalidNameAndStagesNothing()
    {
        var ledger = await CreateLedgerAsync();
        var pairId = NewId();

        var e = await Assert.ThrowsAsync<StorageException>(() => ledger.StageChangedPathsAsync(pairId, ["ok.txt", "a/../b"], T0, Ct));

        Assert.Equal(StorageErrorKind.InvalidName, e.Kind);
        Assert.Empty(await ToListAsync(ledger.ListChangedPathsAsync(pairId, Ct)));
    }

    [Fact]
    public async Task TakeChangedPathsAsync_TwiceAndByALaterRun_CountsWhatTheRunHoldsAndRetakesFromAnEndedRun()
    {
        var ledger = await CreateLedgerAsync();
        var pairId = NewId();
        await ledger.StageChangedPathsAsync(pairId, ["a", "b/c"], T0, Ct);

        Assert.Equal(2, await ledger.TakeChangedPathsAsync(pairId, "run-1", Ct));
        Assert.Equal(2, await ledger.TakeChangedPathsAsync(pairId, "run-1", Ct));
        Assert.Equal(["run-1", "run-1"], (await ToListAsync(ledger.ListChangedPathsAsync(pairId, Ct))).Select(p => p.TakenBy));

        // run-1 ended without removing them (cancelled): the next run takes them again.
        Assert.Equal(2, await ledger.TakeChangedPathsAsync(pairId, "run-2", Ct));
        Assert.Equal(["run-2", "run-2"], (await ToListAsync(ledger.ListChangedPathsAsync(pairId, Ct))).Select(p => p.TakenBy));
        Assert.Equal(0, await ledger.TakeChangedPathsAsync(NewId(), "run-3", Ct));
    }

    [Fact]
    public async Task RemoveChangedPathsAsync_PathStagedAgainAfterTheTake_KeepsItUntakenForTheNextRun()
    {
        var ledger = await CreateLedgerAsync();
        var pairId = NewId();
        await ledger.StageChangedPathsAsync(pairId, ["a", "b", "c"], T0, Ct);
        await ledger.TakeChangedPathsAsync(pairId, "run-1", Ct);
        await ledger.StageChangedPathsAsync(pairId, ["b", "d"], T0.AddSeconds(5), Ct);

        await ledger.RemoveChangedPathsAsync(pairId, "run-1", Ct);
        var left = await ToListAsync(ledger.ListChangedPathsAsync(pairId, Ct));

        Assert.Equal([new ChangedPath(pairId, "b", T0.AddSeconds(5)), new ChangedPath(pairId, "d", T0.AddSeconds(5))], left);
        Assert.Equal(2, await ledger.TakeChangedPathsAsync(pairId, "run-2", Ct));
    }

    [Fact]
    public async Task RemoveChangedPathsAsync_AnotherRunsPaths_LeavesThem()
    {
        var ledger = await CreateLedgerAsync();
        var pairId = NewId();
        await ledger.StageChangedPathsAsync(pairId, ["a"], T0, Ct);
        await ledger.TakeChangedPathsAsync(pairId, "run-2", Ct);

        await ledger.RemoveChangedPathsAsync(pairId, "run-1", Ct);
        await ledger.RemoveChangedPathsAsync(NewId(), "run-1", Ct);

        Assert.Equal([new ChangedPath(pairId, "a", T0, "run-2")], await ToListAsync(ledger.ListChangedPathsAsync(pairId, Ct)));
    }

    [Fact]
    public async Task TakeChangedPathsAsync_ManyPaths_TakesAllAcrossTransactions()
    {
        var ledger = await CreateLedgerAsync();
        var pairId = NewId();
        var paths = Enumerable.Range(0, 250).Select(i => $"f/{i:D4}.txt").ToList();
        await ledger.StageChangedPathsAsync(pairId, paths, T0, Ct);

        Assert.Equal(250, await ledger.TakeChangedPathsAsync(pairId, "run-1", Ct));
        await ledger.RemoveChangedPathsAsync(pairId, "run-1", Ct);

        Assert.Empty(await ToListAsync(ledger.ListChangedPathsAsync(pairId, Ct)));
    }
}
