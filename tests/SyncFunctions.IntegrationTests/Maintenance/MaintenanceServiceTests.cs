using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Azure;
using SyncFunctions.Core.Maintenance;
using SyncFunctions.IntegrationTests.Infrastructure;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.IntegrationTests.Maintenance;

/// <summary>
/// Maintenance on the Table ledger (Azurite): what ended and abandoned runs left is found by a dry run that changes
/// nothing, and removed by a real pass exactly; a live run and recent history stay as they were.
/// </summary>
[Collection("azurite")]
public sealed class MaintenanceServiceTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Now);

    [Fact]
    public async Task RunAsync_DryRunThenRealPass_DryRunReportsAndKeepsEverythingRealPassRemovesExactlyThat()
    {
        var (ledger, world) = await SeedAsync();
        var service = new MaintenanceService(ledger, _clock);
        var before = await SnapshotAsync(ledger);

        var dry = await service.RunAsync(new MaintenanceOptions { DryRun = true }, default);

        var expected = new MaintenanceCounts(Runs: 1, WorkItems: 2, Actions: 5, StagingAreas: 2, ReleasedLeases: 1, AbandonedRuns: 1);
        Assert.True(dry.DryRun);
        Assert.Equal(expected, dry.Counts);
        Assert.Equal([world.Expired.RunId], dry.Runs.Select(r => r.RunId));
        Assert.Equal(new[] { ledger.StagingAreaOf(world.EndedRecently.RunId), ledger.StagingAreaOf(world.NoRunRow) }.Order(StringComparer.Ordinal), dry.StagingAreas);
        Assert.Equal([(world.Stale.RunId, false), (world.Abandoned.RunId, true)], dry.StaleRuns.OrderBy(s => s.Abandoned).Select(s => (s.RunId, s.Abandoned)));
        Assert.Equal(before, await SnapshotAsync(ledger));

        var real = await service.RunAsync(new MaintenanceOptions(), default);

        Assert.False(real.DryRun);
        Assert.Equal(expected, real.Counts);
        Assert.Empty(real.Skipped);
        var after = await SnapshotAsync(ledger);
        Assert.Equal(before.Runs.Keys.Where(id => id != world.Expired.RunId).Order(StringComparer.Ordinal), after.Runs.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(await ToListAsync(ledger.ListWorkItemsAsync(world.Expired.RunId, default)));
        Assert.Empty(await ledger.GetActionsAsync(world.Expired.RunId, "000000", default));
        Assert.Equal(new[] { ledger.StagingAreaOf(world.Live.RunId), ledger.StagingAreaOf(world.Stale.RunId) }.Order(StringComparer.Ordinal), after.Areas);

        // The live run and the recent history: not a field changed.
        Assert.Equal(before.Runs[world.Live.RunId], after.Runs[world.Live.RunId]);
        Assert.Equal(before.Runs[world.EndedRecently.RunId], after.Runs[world.EndedRecently.RunId]);
        Assert.Equal(2, (await ToListAsync(ledger.ListWorkItemsAsync(world.Live.RunId, default))).Count);
        Assert.Single(await ToListAsync(ledger.ListStagedChangesAsync(world.Live.RunId, default)));

        var stale = (await ledger.GetRunAsync(world.Stale.PairId, world.Stale.RunId, default))!;
        Assert.Equal((RunStatus.Running, null, 0), (stale.Status, stale.CoordinatorId, stale.OwnerPid));
        var abandoned = (await ledger.GetRunAsync(world.Abandoned.PairId, world.Abandoned.RunId, default))!;
        Assert.Equal((RunStatus.Cancelled, Now), (abandoned.Status, abandoned.EndedAt));
        Assert.Null((await ledger.GetPairAsync(world.Abandoned.PairId, default))!.ActiveRunId);
        Assert.Equal(world.Live.RunId, (await ledger.GetPairAsync(world.Live.PairId, default))!.ActiveRunId);

        var again = await service.RunAsync(new MaintenanceOptions(), default);
        Assert.Equal(new MaintenanceCounts(0, 0, 0, 0, 0, 0), again.Counts);
    }

    [Fact]
    public async Task ExecuteAsync_StaleRunRenewedAfterThePlan_KeepsItAndReportsItSkipped()
    {
        var (ledger, world) = await SeedAsync();
        var service = new MaintenanceService(ledger, _clock);
        var plan = await service.PlanAsync(new MaintenanceOptions(), default);

        // Its coordinator comes back between plan and execution and renews the lease.
        var renewed = await ledger.TryUpdateRunAsync(world.Stale with { CoordinatorLeaseExpires = Now.AddMinutes(10), Heartbeat = Now }, default);
        var report = await service.ExecuteAsync(plan, default);

        Assert.Contains(report.Skipped, s => s.Contains(world.Stale.RunId, StringComparison.Ordinal));
        var row = (await ledger.GetRunAsync(world.Stale.PairId, world.Stale.RunId, default))!;
        Assert.Equal((renewed!.ETag, "c-stale"), (row.ETag, row.CoordinatorId));
    }

    private sealed record World(RunRecord Expired, RunRecord EndedRecently, RunRecord Stale, RunRecord Abandoned, RunRecord Live, string NoRunRow);

    private sealed record Snapshot(Dictionary<string, RunRecord> Runs, List<string> Areas)
    {
        public bool Equals(Snapshot? other) =>
            other is not null && Runs.Count == other.Runs.Count && Runs.All(kv => other.Runs.TryGetValue(kv.Key, out var o) && o == kv.Value) && Areas.SequenceEqual(other.Areas);

        public override int GetHashCode() => Runs.Count;
    }

    private async Task<(TableLedger Ledger, World World)> SeedAsync()
    {
        var ledger = TableLedger.Create(azurite.Connect(), AzuriteFixture.NewTablePrefix());
        await ledger.InitializeAsync(default);
        var expired = await RunAsync(ledger, "p-old", RunStatus.Succeeded, ended: Now.AddDays(-40));
        var recent = await RunAsync(ledger, "p-old", RunStatus.CompletedWithFailures, ended: Now.AddDays(-5));
        var stale = await RunAsync(ledger, "p-stale", RunStatus.Running, lease: Now.AddHours(-2), coordinator: "c-stale");
        var abandoned = await RunAsync(ledger, "p-abandoned", RunStatus.Running, lease: Now.AddDays(-45), coordinator: "c-gone");
        var live = await RunAsync(ledger, "p-live", RunStatus.Running, lease: Now.AddMinutes(5), coordinator: "c-live");
        await ActivateAsync(ledger, abandoned);
        await ActivateAsync(ledger, live);
        var noRow = "run-without-row-" + Guid.NewGuid().ToString("N")[..6];
        await ledger.StageChangesAsync(noRow, [new ChangeItem { ItemId = "n", Name = "n.txt" }], default);
        return (ledger, new World(expired, recent, stale, abandoned, live, noRow));
    }

    /// <summary>A run with two items (3 + 2 actions) and one staged change.</summary>
    private static async Task<RunRecord> RunAsync(TableLedger ledger, string pairId, RunStatus status, DateTimeOffset? ended = null, DateTimeOffset? lease = null, string? coordinator = null)
    {
        var created = (ended ?? lease ?? Now).AddHours(-1);
        var run = await ledger.CreateRunAsync(new RunRecord
        {
            PairId = pairId,
            RunId = "r" + Guid.NewGuid().ToString("N")[..12],
            Status = status,
            CreatedAt = created,
            EndedAt = ended,
            CoordinatorId = coordinator,
            CoordinatorLeaseExpires = lease,
            Heartbeat = lease?.AddSeconds(-30) ?? created,
            OwnerHost = "host",
            OwnerPid = 4242,
        }, default);
        await ledger.AddWorkItemAsync(new WorkItemRecord { RunId = run.RunId, ItemId = "000000", ActionCount = 3 }, Actions(run.RunId, "000000", 3), default);
        await ledger.AddWorkItemAsync(new WorkItemRecord { RunId = run.RunId, ItemId = "000001", ActionCount = 2 }, Actions(run.RunId, "000001", 2), default);
        await ledger.StageChangesAsync(run.RunId, [new ChangeItem { ItemId = "i", Name = "i.txt" }], default);
        return run;
    }

    private static List<ActionRecord> Actions(string runId, string itemId, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new ActionRecord { RunId = runId, ItemId = itemId, ActionId = i.ToString("000", System.Globalization.CultureInfo.InvariantCulture), Path = $"{itemId}/f{i}" })];

    private static async Task ActivateAsync(TableLedger ledger, RunRecord run)
    {
        var pair = await ledger.GetOrCreatePairAsync(new PairRecord(run.PairId, "local:/s", "blob:d"), default);
        Assert.NotNull(await ledger.TryUpdatePairAsync(pair with { ActiveRunId = run.RunId }, default));
    }

    private static async Task<Snapshot> SnapshotAsync(TableLedger ledger)
    {
        var runs = new Dictionary<string, RunRecord>(StringComparer.Ordinal);
        await foreach (var run in ledger.ListRunsAsync(null, default))
        {
            runs[run.RunId] = run;
        }

        return new Snapshot(runs, (await ToListAsync(ledger.ListStagingAreasAsync(default))).Order(StringComparer.Ordinal).ToList());
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
