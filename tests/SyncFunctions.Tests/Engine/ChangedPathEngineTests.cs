using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Engine;

/// <summary>Runs of staged changed paths (blob events): only those paths are looked up, nothing is listed.</summary>
public sealed class ChangedPathEngineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private static SyncOptions EventRun(EngineHarness h) => h.Options with { Trigger = "blob-event" };

    [Fact]
    public async Task SyncAsync_StagedPathsAfterACompletedRun_PlansExactlyThosePathsAndListsNothing()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(40);
        await h.SyncAsync();
        h.Source.Put("f/00001.txt", EngineHarness.Content(101, 77));
        h.Source.Put("new/one.txt", EngineHarness.Content(102, 55));
        h.Source.Remove("f/00002.txt");
        h.Source.Put("f/00003.txt", EngineHarness.Content(103, 66)); // changed but not staged: this run must not see it
        await h.Ledger.StageChangedPathsAsync(h.Pair.PairId, ["f/00001.txt", "new/one.txt", "f/00002.txt", "f/00004.txt"], T0, default);
        h.Source.ResetCounters();
        h.Destination.ResetCounters();
        h.Ledger.ResetCounters();

        var summary = await h.SyncAsync(EventRun(h));

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(0, h.Source.RequestCount(InMemoryObjectStore.Ops.List));
        Assert.Equal(0, h.Destination.RequestCount(InMemoryObjectStore.Ops.List));
        Assert.Equal(0, h.Ledger.CallCount(nameof(ILedger.ListBaselineAsync)));
        var planned = h.Ledger.ActionsSnapshot(summary.RunId!).Select(a => (a.Kind, a.Path)).OrderBy(a => a.Path, StringComparer.Ordinal);
        Assert.Equal([(ActionKind.Upload, "f/00001.txt"), (ActionKind.Delete, "f/00002.txt"), (ActionKind.Upload, "new/one.txt")], planned);
        Assert.Equal(h.Source.TryGet("new/one.txt"), h.Destination.TryGet("new/one.txt"));
        Assert.Equal(h.Source.TryGet("f/00001.txt"), h.Destination.TryGet("f/00001.txt"));
        Assert.Null(h.Destination.TryGet("f/00002.txt"));
        Assert.NotEqual(h.Source.TryGet("f/00003.txt"), h.Destination.TryGet("f/00003.txt"));
        var run = await h.Ledger.GetRunAsync(h.Pair.PairId, summary.RunId!, default);
        Assert.True(run is { PlansChangedPaths: true, ChangedPathCount: 4, BaselineCount: 40, ListedCount: 40 }, $"{run}");
        Assert.Empty(h.Ledger.ChangedPathsSnapshot(h.Pair.PairId));
    }

    [Fact]
    public async Task SyncAsync_StagedPathsWithoutACompletedRun_ListsEverythingAndClearsThem()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(5);
        await h.Ledger.StageChangedPathsAsync(h.Pair.PairId, ["f/00001.txt"], T0, default);

        var summary = await h.SyncAsync(EventRun(h));

        Assert.Equal(5, summary.Succeeded);
        Assert.True(h.Source.RequestCount(InMemoryObjectStore.Ops.List) > 0);
        h.AssertMirrored();
        var run = await h.Ledger.GetRunAsync(h.Pair.PairId, summary.RunId!, default);
        Assert.True(run is { PlansChangedPaths: false, ChangedPathCount: 1 }, $"{run}");
        Assert.Empty(h.Ledger.ChangedPathsSnapshot(h.Pair.PairId));
        Assert.Equal(summary.RunId, (await h.Ledger.GetPairAsync(h.Pair.PairId, default))!.LastCompletedRunId);
    }

    [Theory]
    [InlineData("cli")]
    [InlineData("http")]
    [InlineData("schedule")]
    public async Task SyncAsync_ReconciliationTriggerWithStagedPaths_ListsEverything(string trigger)
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(5);
        await h.SyncAsync();
        h.Source.Put("f/00001.txt", EngineHarness.Content(7, 10));
        h.Source.Put("f/00003.txt", EngineHarness.Content(8, 10));
        await h.Ledger.StageChangedPathsAsync(h.Pair.PairId, ["f/00001.txt"], T0, default);
        h.Source.ResetCounters();

        var summary = await h.SyncAsync(h.Options with { Trigger = trigger });

        Assert.Equal(2, summary.Succeeded);
        Assert.True(h.Source.RequestCount(InMemoryObjectStore.Ops.List) > 0);
        h.AssertMirrored();
        Assert.Empty(h.Ledger.ChangedPathsSnapshot(h.Pair.PairId));
    }

    [Fact]
    public async Task SyncAsync_NoStagedPaths_ListsEverything()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(3);
        await h.SyncAsync();
        h.Source.Put("f/00001.txt", EngineHarness.Content(9, 10));
        h.Source.ResetCounters();

        var summary = await h.SyncAsync(EventRun(h));

        Assert.Equal(1, summary.Succeeded);
        Assert.True(h.Source.RequestCount(InMemoryObjectStore.Ops.List) > 0);
        h.AssertMirrored();
    }

    [Fact]
    public async Task SyncAsync_PathsStagedWhileTheRunIsActive_StayForTheNextRunWhichPlansThem()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(10);
        await h.SyncAsync();
        h.Source.Put("f/00001.txt", EngineHarness.Content(11, 20));
        await h.Ledger.StageChangedPathsAsync(h.Pair.PairId, ["f/00001.txt"], T0, default);
        var stagedDuring = 0;
        h.Ledger.BeforeOperation = async (method, ct) =>
        {
            // While the first run executes (after it took its paths): f/00001.txt is reported again, late.txt appears.
            if (method == nameof(ILedger.ApplyBaselineAsync) && Interlocked.Exchange(ref stagedDuring, 1) == 0)
            {
                h.Source.Put("late.txt", EngineHarness.Content(12, 30));
                await h.Ledger.StageChangedPathsAsync(h.Pair.PairId, ["f/00001.txt", "late.txt"], T0.AddSeconds(1), ct);
            }
        };

        var first = await h.SyncAsync(EventRun(h));

        Assert.Equal(1, stagedDuring);
        Assert.Equal(["f/00001.txt"], h.Ledger.ActionsSnapshot(first.RunId!).Select(a => a.Path));
        Assert.Equal(
            [new ChangedPath(h.Pair.PairId, "f/00001.txt", T0.AddSeconds(1)), new ChangedPath(h.Pair.PairId, "late.txt", T0.AddSeconds(1))],
            h.Ledger.ChangedPathsSnapshot(h.Pair.PairId));
        h.Source.ResetCounters();

        var second = await h.SyncAsync(EventRun(h));

        Assert.Equal(0, h.Source.RequestCount(InMemoryObjectStore.Ops.List));
        Assert.Equal(["late.txt"], h.Ledger.ActionsSnapshot(second.RunId!).Select(a => a.Path));
        h.AssertMirrored();
        Assert.Empty(h.Ledger.ChangedPathsSnapshot(h.Pair.PairId));
    }

    [Fact]
    public async Task SyncAsync_CancelledStagedRun_KeepsThePathsForTheNextRun()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(4);
        await h.SyncAsync();
        h.Source.Put("f/00002.txt", EngineHarness.Content(21, 40));
        await h.Ledger.StageChangedPathsAsync(h.Pair.PairId, ["f/00002.txt"], T0, default);
        using var steps = new RunSteps(h.Ledger, h.Source, h.Destination, new EngineEnvironment(h.Time, h.NewOwner(), h.Liveness));
        var start = await steps.StartRunAsync(new StartRunRequest(h.Pair, EventRun(h), "coord-1"), default);
        await steps.ObserveAsync(new RunRef(h.Pair.PairId, start.RunId!, "coord-1"), long.MaxValue, null, default);

        await steps.CancelRunAsync(new RunRef(h.Pair.PairId, start.RunId!, "coord-1"), default);

        Assert.Equal([new ChangedPath(h.Pair.PairId, "f/00002.txt", T0, start.RunId)], h.Ledger.ChangedPathsSnapshot(h.Pair.PairId));
        h.Source.ResetCounters();
        var next = await h.SyncAsync(EventRun(h));
        Assert.Equal(0, h.Source.RequestCount(InMemoryObjectStore.Ops.List));
        Assert.Equal(["f/00002.txt"], h.Ledger.ActionsSnapshot(next.RunId!).Select(a => a.Path));
        h.AssertMirrored();
        Assert.Empty(h.Ledger.ChangedPathsSnapshot(h.Pair.PairId));
    }

    [Fact]
    public async Task SyncAsync_StagedRunWithACarriedOverFailure_RetriesItToo()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(3);
        await h.SyncAsync();
        h.Source.Put("f/00000.txt", EngineHarness.Content(31, 10));
        await h.Ledger.ApplyCarryOverAsync(h.Pair.PairId, [new CarryOverEntry { PairId = h.Pair.PairId, Path = "f/00000.txt", Reason = CarryOverReason.Failed, Since = T0 }], [], default);
        h.Source.Put("f/00001.txt", EngineHarness.Content(32, 10));
        await h.Ledger.StageChangedPathsAsync(h.Pair.PairId, ["f/00001.txt"], T0, default);

        var summary = await h.SyncAsync(EventRun(h));

        Assert.Equal(["f/00000.txt", "f/00001.txt"], h.Ledger.ActionsSnapshot(summary.RunId!).Select(a => a.Path).Order(StringComparer.Ordinal));
        h.AssertMirrored();
        Assert.Empty(h.Ledger.CarryOverSnapshot(h.Pair.PairId));
    }

    [Fact]
    public async Task SyncAsync_StagedDeletesOverTheLimit_AreHeldBackAgainstTheLastFullCount()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(10);
        await h.SyncAsync();
        string[] gone = ["f/00001.txt", "f/00002.txt", "f/00003.txt"];
        foreach (var path in gone)
        {
            h.Source.Remove(path);
        }

        await h.Ledger.StageChangedPathsAsync(h.Pair.PairId, gone, T0, default);

        var summary = await h.SyncAsync(EventRun(h) with { MaxDelete = new MaxDeleteLimit(null, 20) });

        Assert.Equal(RunOutcome.DeletesHeldBack, summary.Outcome);
        Assert.Equal(3, summary.HeldBackDeletes);
        Assert.All(gone, p => Assert.NotNull(h.Destination.TryGet(p)));
        Assert.Equal(gone, h.Ledger.CarryOverSnapshot(h.Pair.PairId).Select(c => c.Path));
    }

    [Fact]
    public async Task DryRun_StagedPaths_AreLeftForTheRealRun()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(3);
        await h.SyncAsync();
        h.Source.Put("f/00001.txt", EngineHarness.Content(41, 10));
        await h.Ledger.StageChangedPathsAsync(h.Pair.PairId, ["f/00001.txt"], T0, default);

        var summary = await h.SyncAsync(EventRun(h) with { DryRun = true });

        Assert.True(summary.DryRun);
        Assert.Equal([new ChangedPath(h.Pair.PairId, "f/00001.txt", T0)], h.Ledger.ChangedPathsSnapshot(h.Pair.PairId));
    }
}
