using SyncFunctions.Abstractions;
using SyncFunctions.Core.InProcess;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Engine;

/// <summary>A dry run drives the same steps as a real run: its report is exactly the plan the real run then executes.</summary>
public sealed class DryRunPlanTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task DryRun_ListingSource_ShowsExactlyTheRealPlanAndChangesNothing()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(30);
        h.Source.Put("big/large.bin", EngineHarness.Content(99, (64 * 1024 * 5) + 7));
        Assert.Equal(RunOutcome.Succeeded, (await h.SyncAsync()).Outcome);
        h.Source.Put("f/00003.txt", EngineHarness.Content(1003, 321));
        h.Source.Remove("f/00007.txt");
        h.Source.Remove("f/00008.txt");
        h.Source.Put("new/added.txt", EngineHarness.Content(5000, 99));
        var before = h.Destination.Snapshot();
        var baselineBefore = h.Ledger.BaselineSnapshot(h.Pair.PairId);

        var dry = await h.SyncAsync(h.Options with { DryRun = true });

        Assert.True(dry.DryRun);
        Assert.Equal(before.Keys, h.Destination.Snapshot().Keys);
        Assert.Equal(baselineBefore, h.Ledger.BaselineSnapshot(h.Pair.PairId));
        Assert.Null((await h.Ledger.GetPairAsync(h.Pair.PairId, Ct))!.ActiveRunId);

        var real = await h.SyncAsync();

        Assert.Equal(RunOutcome.Succeeded, real.Outcome);
        Assert.Equal(await ExecutedAsync(h.Ledger, real.RunId!), Planned(dry));
        Assert.Equal(["Delete f/00007.txt", "Delete f/00008.txt", "Upload f/00003.txt", "Upload new/added.txt"], Planned(dry));
        Assert.Equal(real.Total, dry.Total);
    }

    [Fact]
    public async Task DryRun_ChangeFeedSource_ShowsExactlyTheRealPlanWithMovesAndKeepsTheCursor()
    {
        var drive = new FakeDrive(pageSize: 3);
        var destination = new InMemoryObjectStore();
        var ledger = new InMemoryLedger();
        var pair = new PairRecord("drivepair", "graph:fake", "memory:dst");
        var options = new SyncOptions { Parallel = 4, ChunkSize = 64 * 1024 };
        Task<RunSummary> Sync(SyncOptions o) =>
            InProcessDriver.WithRetries(ledger, drive, destination, new EngineEnvironment(TimeProvider.System, new OwnerIdentity("h", 7, DateTimeOffset.UnixEpoch), new FakeLiveness()))
                .SyncAsync(pair, o, Ct);
        var ids = Enumerable.Range(0, 12).Select(i => drive.PutFile($"docs/sub{i % 3}/f{i}.txt", EngineHarness.Content(i, 300))).ToList();
        Assert.Equal(RunOutcome.Succeeded, (await Sync(options)).Outcome);
        var cursor = (await ledger.GetPairAsync(pair.PairId, Ct))!.Cursor;
        drive.Rename(ids[0], "renamed0.txt");          // a move without content
        drive.Update(ids[1], EngineHarness.Content(101, 333));
        drive.Delete(ids[2]);
        drive.PutFile("docs/new.txt", EngineHarness.Content(77, 50));
        var before = destination.Snapshot();

        var dry = await Sync(options with { DryRun = true });

        Assert.Equal(before.Keys, destination.Snapshot().Keys);
        Assert.Equal(cursor, (await ledger.GetPairAsync(pair.PairId, Ct))!.Cursor);

        var real = await Sync(options);

        Assert.Equal(RunOutcome.Succeeded, real.Outcome);
        Assert.Equal(await ExecutedAsync(ledger, real.RunId!), Planned(dry));
        Assert.Contains("Move docs/sub0/renamed0.txt", Planned(dry));
        Assert.Equal(4, Planned(dry).Count);
    }

    [Fact]
    public async Task ExpectedPlan_SameAsPreviewed_RunExecutesIt()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(150);
        h.Source.Put("big/large.bin", EngineHarness.Content(99, (64 * 1024 * 3) + 5));
        var preview = await h.SyncAsync(h.Options with { DryRun = true });

        var real = await h.SyncAsync(h.Options with { ExpectedPlan = preview.Plan!.Fingerprint });

        Assert.Equal(RunOutcome.Succeeded, real.Outcome);
        Assert.Equal(151, real.Succeeded);
        h.AssertMirrored();
        var row = (await h.Ledger.GetRunAsync(h.Pair.PairId, real.RunId!, Ct))!;
        Assert.Null(row.Error);
        Assert.Equal(preview.Plan.Fingerprint, StoredOptions.Restore(row.OptionsJson, new SyncOptions()).ExpectedPlan);
    }

    [Fact]
    public async Task ExpectedPlan_SourceChangedSincePreview_RunCancelledWithTheReasonAndNothingExecuted()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(20);
        Assert.Equal(RunOutcome.Succeeded, (await h.SyncAsync()).Outcome);
        h.Source.Put("f/00003.txt", EngineHarness.Content(1003, 321));
        var preview = await h.SyncAsync(h.Options with { DryRun = true });
        h.Source.Remove("f/00004.txt");
        h.Source.Put("new.txt", EngineHarness.Content(7, 70));
        var before = h.Destination.Snapshot();
        var baseline = h.Ledger.BaselineSnapshot(h.Pair.PairId);
        var cursor = (await h.Ledger.GetPairAsync(h.Pair.PairId, Ct))!;

        var real = await h.SyncAsync(h.Options with { ExpectedPlan = preview.Plan!.Fingerprint });

        Assert.Equal(RunOutcome.Cancelled, real.Outcome);
        Assert.Equal(before, h.Destination.Snapshot());
        Assert.Equal(baseline, h.Ledger.BaselineSnapshot(h.Pair.PairId));
        var row = (await h.Ledger.GetRunAsync(h.Pair.PairId, real.RunId!, Ct))!;
        Assert.Equal(RunStatus.Cancelled, row.Status);
        Assert.Contains(preview.Plan.Fingerprint, row.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was executed", row.Error, StringComparison.Ordinal);
        Assert.Equal(0, row.SucceededActions);
        var pair = (await h.Ledger.GetPairAsync(h.Pair.PairId, Ct))!;
        Assert.Null(pair.ActiveRunId);
        Assert.Equal(cursor.LastCompletedRunId, pair.LastCompletedRunId);

        // Planned again without the stale expectation, the run does the three changes.
        Assert.Equal(RunOutcome.Succeeded, (await h.SyncAsync()).Outcome);
        h.AssertMirrored();
    }

    [Fact]
    public async Task PlanPreview_DryRunOfTheSameState_SameFingerprintAndCounts()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(30);
        Assert.Equal(RunOutcome.Succeeded, (await h.SyncAsync()).Outcome);
        h.Source.Remove("f/00001.txt");
        h.Source.Put("f/00002.txt", EngineHarness.Content(1002, 222));
        h.Source.Put("n/new.txt", EngineHarness.Content(9, 90));

        var first = (await h.SyncAsync(h.Options with { DryRun = true })).Plan!;
        var second = (await h.SyncAsync(h.Options with { DryRun = true, Parallel = 1 })).Plan!;

        Assert.Equal(first.Fingerprint, second.Fingerprint);
        Assert.Equal((3L, 2L, 1L, 312L), (first.Actions, first.Uploads, first.Deletes, first.Bytes));
        Assert.Equal(["Delete f/00001.txt", "Upload f/00002.txt", "Upload n/new.txt"], first.Items.Select(i => $"{i.Kind} {i.Path}").Order(StringComparer.Ordinal));
    }

    private static List<string> Planned(RunSummary dry) =>
        [.. dry.Planned.Select(p => $"{p.Kind} {p.Path}").Order(StringComparer.Ordinal)];

    private static async Task<List<string>> ExecutedAsync(InMemoryLedger ledger, string runId)
    {
        var planned = new List<string>();
        await foreach (var item in ledger.ListWorkItemsAsync(runId, Ct))
        {
            if (item.Kind == WorkItemKind.ChunkRange)
            {
                continue;
            }

            planned.AddRange((await ledger.GetActionsAsync(runId, item.ItemId, Ct)).Where(a => a.Status != ActionStatus.Skipped || a.Kind == ActionKind.Delete).Select(a => $"{a.Kind} {a.Path}"));
        }

        return [.. planned.Order(StringComparer.Ordinal)];
    }
}
