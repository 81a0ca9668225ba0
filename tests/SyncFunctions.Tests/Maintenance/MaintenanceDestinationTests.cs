using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Maintenance;
using SyncFunctions.Core.Stores;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Maintenance;

/// <summary>
/// Maintenance at the destinations: what unfinished uploads of ended and abandoned runs left (uncommitted blocks,
/// partial files) is found by the plan, removed only when never committed and no run of the pair is active.
/// </summary>
public sealed class MaintenanceDestinationTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Now);
    private readonly InMemoryLedger _ledger = new();
    private readonly InMemoryObjectStore _blob;
    private readonly string _folder = Path.Join(Path.GetTempPath(), "syncfn-mgc-" + Guid.NewGuid().ToString("N"));

    public MaintenanceDestinationTests() => _blob = new InMemoryObjectStore(_clock);

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_AbandonedRunsLargeUpload_DryRunReportsBlocksAndBytesRealPassRemovesThem()
    {
        var run = await RunAsync("p-blob", RunStatus.Running, null, Now.AddDays(-45), true, ("big.bin", ActionStatus.Claimed));
        await StageAsync("big.bin", 1000, 1000, 500);
        var service = Service(("p-blob", _blob));

        var dry = await service.RunAsync(new MaintenanceOptions { DryRun = true }, default);

        Assert.Equal(new LeftoverTotals(3, 2500, 3, 2500, 0, 0), dry.Counts.UncommittedBlocks);
        Assert.Equal(LeftoverTotals.None, dry.Counts.PartialFiles);
        var found = Assert.Single(dry.DestinationLeftovers);
        Assert.Equal(("p-blob", run.RunId, "big.bin", LeftoverKind.UncommittedBlocks, 3L, 2500L, (string?)null), (found.PairId, found.RunId, found.Path, found.Kind, found.Count, found.Bytes, found.Kept));
        Assert.Null(dry.DestinationsNotChecked);
        Assert.Equal(3, _blob.StagedChunkIds("big.bin").Count);
        Assert.Equal(0, _blob.RequestCount(InMemoryObjectStore.Ops.DiscardUncommitted));

        var real = await service.RunAsync(new MaintenanceOptions(), default);

        Assert.Equal(1, real.Counts.AbandonedRuns);
        Assert.Equal(new LeftoverTotals(3, 2500, 3, 2500, 0, 0), real.Counts.UncommittedBlocks);
        Assert.Empty(_blob.StagedChunkIds("big.bin"));
        Assert.Null(await _blob.GetInfoAsync("big.bin", default));
        var again = await service.RunAsync(new MaintenanceOptions(), default);
        Assert.Equal(LeftoverTotals.None, again.Counts.UncommittedBlocks);
    }

    [Fact]
    public async Task RunAsync_CancelledRunOverCommittedBlob_LeavesBlocksAndContentAndSaysWhy()
    {
        await RunAsync("p-blob", RunStatus.Cancelled, Now.AddHours(-2), null, false, ("kept.bin", ActionStatus.Failed), ("done.bin", ActionStatus.Done));
        var committed = await _blob.WriteAsync("kept.bin", new MemoryStream([1, 2, 3]), new WriteOptions(), default);
        await StageAsync("kept.bin", 700, 300);
        await StageAsync("done.bin", 100);

        var report = await Service(("p-blob", _blob)).RunAsync(new MaintenanceOptions(), default);

        Assert.Equal(new LeftoverTotals(2, 1000, 0, 0, 2, 1000), report.Counts.UncommittedBlocks);
        var kept = Assert.Single(report.DestinationLeftovers);
        Assert.Equal(("kept.bin", MaintenanceService.CommittedBlobKept), (kept.Path, kept.Kept));
        Assert.Equal(committed.ETag, (await _blob.GetInfoAsync("kept.bin", default))!.Version);
        Assert.Equal(2, _blob.StagedChunkIds("kept.bin").Count);

        // A finished action's path is not the leftover of an unfinished one.
        Assert.Single(_blob.StagedChunkIds("done.bin"));
        Assert.Equal(0, _blob.RequestCount(InMemoryObjectStore.Ops.DiscardUncommitted));
    }

    [Fact]
    public async Task RunAsync_RunEndedLessThanTheLeftoverAgeAgo_ItsBlocksStayForTheNextRunToResumeFrom()
    {
        await RunAsync("p-blob", RunStatus.Cancelled, Now.AddMinutes(-20), null, false, ("big.bin", ActionStatus.Failed));
        await StageAsync("big.bin", 1000, 400);
        var service = Service(("p-blob", _blob));

        var young = await service.RunAsync(new MaintenanceOptions(), default);
        var shorter = await service.RunAsync(new MaintenanceOptions { DryRun = true, LeftoverAge = TimeSpan.FromMinutes(10) }, default);

        Assert.Equal(LeftoverTotals.None, young.Counts.UncommittedBlocks);
        Assert.Equal(2, _blob.StagedChunkIds("big.bin").Count);
        Assert.Equal(new LeftoverTotals(2, 1400, 2, 1400, 0, 0), shorter.Counts.UncommittedBlocks);
        Assert.Equal("the leftover age is not negative", new MaintenanceOptions { LeftoverAge = TimeSpan.FromSeconds(-1) }.Problem());
    }

    [Fact]
    public async Task RunAsync_PairHasAnActiveRun_ItsDestinationIsNotTouched()
    {
        var failed = await RunAsync("p-blob", RunStatus.Failed, Now.AddHours(-3), null, false, ("big.bin", ActionStatus.Pending));
        var live = await RunAsync("p-blob", RunStatus.Running, null, Now.AddMinutes(5), true, ("big.bin", ActionStatus.Claimed));
        await StageAsync("big.bin", 1000, 1000);

        var report = await Service(("p-blob", _blob)).RunAsync(new MaintenanceOptions(), default);

        Assert.NotEqual(failed.RunId, live.RunId);
        Assert.Empty(report.DestinationLeftovers);
        Assert.Equal(LeftoverTotals.None, report.Counts.UncommittedBlocks);
        Assert.Contains(report.Skipped, s => s.Contains(live.RunId, StringComparison.Ordinal));
        Assert.Equal(0, _blob.RequestCount(InMemoryObjectStore.Ops.GetStagedChunkState));
        Assert.Equal(2, _blob.StagedChunkIds("big.bin").Count);
    }

    [Fact]
    public async Task ExecuteAsync_RunStartedAfterThePlan_KeepsTheBlocks()
    {
        await RunAsync("p-blob", RunStatus.Cancelled, Now.AddHours(-1), null, false, ("big.bin", ActionStatus.Pending));
        await StageAsync("big.bin", 1000);
        var service = Service(("p-blob", _blob));
        var plan = await service.PlanAsync(new MaintenanceOptions(), default);
        var pair = (await _ledger.GetPairAsync("p-blob", default))!;
        Assert.NotNull(await _ledger.TryUpdatePairAsync(pair with { ActiveRunId = "r-new" }, default));

        var report = await service.ExecuteAsync(plan, default);

        Assert.Equal(new LeftoverTotals(1, 1000, 0, 0, 1, 1000), report.Counts.UncommittedBlocks);
        Assert.Contains("r-new", Assert.Single(report.DestinationLeftovers).Kept, StringComparison.Ordinal);
        Assert.Single(_blob.StagedChunkIds("big.bin"));
    }

    [Fact]
    public async Task ExecuteAsync_BlocksStagedAfterThePlan_KeepsThem()
    {
        await RunAsync("p-blob", RunStatus.Cancelled, Now.AddHours(-1), null, false, ("big.bin", ActionStatus.Pending));
        await StageAsync("big.bin", 1000);
        var service = Service(("p-blob", _blob));
        var plan = await service.PlanAsync(new MaintenanceOptions(), default);
        await StageAsync("big.bin", 10);

        var report = await service.ExecuteAsync(plan, default);

        Assert.Equal("changed since the plan", Assert.Single(report.DestinationLeftovers).Kept);
        Assert.Equal(2, _blob.StagedChunkIds("big.bin").Count);
    }

    [Fact]
    public async Task RunAsync_CancelledDownloadIntoAFolder_RemovesThePartialFileAndKeepsTheTarget()
    {
        await RunAsync("p-local", RunStatus.Cancelled, Now.AddHours(-1), null, false, ("docs/big.bin", ActionStatus.Claimed));
        Directory.CreateDirectory(Path.Join(_folder, "docs"));
        await File.WriteAllTextAsync(Path.Join(_folder, "docs", "big.bin"), "the old version");
        var local = new LocalFolderStore(_folder, _clock);
        await local.AppendPartialAsync("docs/big.bin", "v2", 0, new MemoryStream(new byte[4096]), default);
        var service = Service(("p-local", local));

        var dry = await service.RunAsync(new MaintenanceOptions { DryRun = true }, default);
        Assert.Equal(4096, await local.GetPartialSizeAsync("docs/big.bin", default));

        var real = await service.RunAsync(new MaintenanceOptions(), default);

        Assert.Equal(new LeftoverTotals(1, 4096, 1, 4096, 0, 0), dry.Counts.PartialFiles);
        Assert.Equal(new LeftoverTotals(1, 4096, 1, 4096, 0, 0), real.Counts.PartialFiles);
        Assert.Null(await local.GetPartialSizeAsync("docs/big.bin", default));
        Assert.Equal(["big.bin"], Directory.GetFiles(Path.Join(_folder, "docs")).Select(Path.GetFileName));
        Assert.Equal("the old version", await File.ReadAllTextAsync(Path.Join(_folder, "docs", "big.bin")));
    }

    [Fact]
    public async Task RunAsync_UnfinishedSmallFile_IsNotLookedAt()
    {
        await RunAsync("p-blob", RunStatus.Cancelled, Now.AddHours(-1), null, false, [("small.txt", ActionStatus.Pending, 64 * 1024), ("big.bin", ActionStatus.Pending, 64 * 1024 + 1)]);
        await StageAsync("big.bin", 1000);

        var report = await Service(("p-blob", _blob)).RunAsync(new MaintenanceOptions { DryRun = true }, default);

        Assert.Equal("big.bin", Assert.Single(report.DestinationLeftovers).Path);
        Assert.Equal(1, _blob.RequestCount(InMemoryObjectStore.Ops.GetStagedChunkState));
    }

    [Fact]
    public async Task DiscardPartialAsync_PartialGrewMeanwhile_KeepsIt()
    {
        Directory.CreateDirectory(_folder);
        var local = new LocalFolderStore(_folder, _clock);
        await local.AppendPartialAsync("a.bin", "v1", 0, new MemoryStream(new byte[10]), default);

        var discarded = await local.DiscardPartialAsync("a.bin", 5, default);

        Assert.False(discarded);
        Assert.Equal(10, await local.GetPartialLengthAsync("a.bin", "v1", default));
    }

    [Fact]
    public async Task RunAsync_NoDestinations_ReportsThemNotChecked()
    {
        await RunAsync("p-blob", RunStatus.Cancelled, Now.AddHours(-1), null, false, ("big.bin", ActionStatus.Pending));
        await StageAsync("big.bin", 1000);

        var report = await new MaintenanceService(_ledger, _clock).RunAsync(new MaintenanceOptions(), default);

        Assert.NotNull(report.DestinationsNotChecked);
        Assert.Equal(LeftoverTotals.None, report.Counts.UncommittedBlocks);
        Assert.Single(_blob.StagedChunkIds("big.bin"));
    }

    private MaintenanceService Service(params (string PairId, IObjectStore Store)[] stores) =>
        new(_ledger, _clock) { Destinations = new Destinations(stores.ToDictionary(s => s.PairId, s => s.Store, StringComparer.Ordinal)) };

    private async Task StageAsync(string path, params int[] sizes)
    {
        var existing = _blob.StagedChunkIds(path).Count;
        for (var i = 0; i < sizes.Length; i++)
        {
            var id = Convert.ToBase64String(BitConverter.GetBytes(existing + i));
            await _blob.StageChunkAsync(path, id, new MemoryStream(new byte[sizes[i]]), default);
        }
    }

    /// <summary>A run of <paramref name="pairId"/> with one work item holding an upload per path in the given state.</summary>
    private async Task<RunRecord> RunAsync(string pairId, RunStatus status, DateTimeOffset? ended, DateTimeOffset? lease, bool active, params (string Path, ActionStatus Status)[] uploads) =>
        await RunAsync(pairId, status, ended, lease, active, [.. uploads.Select(u => (u.Path, u.Status, 10L * 1024 * 1024))]);

    private async Task<RunRecord> RunAsync(string pairId, RunStatus status, DateTimeOffset? ended, DateTimeOffset? lease, bool active, (string Path, ActionStatus Status, long Size)[] uploads)
    {
        var pair = await _ledger.GetOrCreatePairAsync(new PairRecord(pairId, "local:/s", "blob:d"), default);
        var created = (ended ?? lease ?? Now).AddHours(-1);
        var run = await _ledger.CreateRunAsync(new RunRecord
        {
            PairId = pairId,
            RunId = "r" + Guid.NewGuid().ToString("N")[..12],
            Status = status,
            CreatedAt = created,
            EndedAt = ended,
            CoordinatorId = status == RunStatus.Running ? "c" : null,
            CoordinatorLeaseExpires = lease,
            Heartbeat = lease ?? created,
        }, default);
        var actions = uploads.Select((u, i) => new ActionRecord
        {
            RunId = run.RunId,
            ItemId = "000000",
            ActionId = i.ToString("000", System.Globalization.CultureInfo.InvariantCulture),
            Kind = ActionKind.Upload,
            Path = u.Path,
            Status = u.Status,
            SourceSize = u.Size,
        }).ToList();
        await _ledger.AddWorkItemAsync(new WorkItemRecord { RunId = run.RunId, ItemId = "000000", ActionCount = actions.Count }, actions, default);
        if (active)
        {
            Assert.NotNull(await _ledger.TryUpdatePairAsync(pair with { ActiveRunId = run.RunId }, default));
        }

        return run;
    }

    private sealed class Destinations(Dictionary<string, IObjectStore> stores) : IPairDestinations
    {
        public Task<IObjectStore?> OpenAsync(string pairId, CancellationToken cancellationToken) =>
            Task.FromResult(stores.GetValueOrDefault(pairId));
    }
}
