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
