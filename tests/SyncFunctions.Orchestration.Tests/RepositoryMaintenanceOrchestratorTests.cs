using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Core.Snapshots.Maintenance;
using SyncFunctions.Orchestration.Repositories;
using SyncFunctions.Tests.Fakes;
using SyncFunctions.Tests.Snapshots.Maintenance;

namespace SyncFunctions.Orchestration.Tests;

/// <summary>
/// GC of the host's snapshot repositories as an orchestration on the in-memory Durable test host: one repository with
/// garbage (chunks a writer flushed for a snapshot that never came), one a pair names but no run has written yet.
/// </summary>
public sealed class RepositoryMaintenanceOrchestratorTests : IAsyncLifetime
{
    private const string Written = "repo:written";
    private const string Missing = "repo:missing";

    private readonly InMemoryLedger _ledger = new();
    private readonly Dictionary<string, IObjectStore> _stores = new(StringComparer.Ordinal);
    private GcKit _kit = null!;
    private DurableTaskTestHost? _host;

    public async Task InitializeAsync()
    {
        _kit = await GcKit.CreateAsync();
        _stores[Written] = _kit.Store;
        _stores[Missing] = new InMemoryObjectStore();
        await _ledger.TryAddDefinitionAsync(new PairDefinition("docs", "pair-docs", "local:/docs", Written), default);
        await _ledger.TryAddDefinitionAsync(new PairDefinition("photos", "pair-photos", "local:/photos", Written), default);
        await _ledger.TryAddDefinitionAsync(new PairDefinition("later", "pair-later", "local:/later", Missing), default);
        await _ledger.TryAddDefinitionAsync(new PairDefinition("mirror", "pair-mirror", "local:/m", "blob:acct/c"), default);
        var service = new RepositoryMaintenanceService(new RepositoryCatalog(_ledger, new Roots(_stores)), _kit.Clock, GcKit.Safety);
        _host = await DurableTaskTestHost.StartAsync(
            r => r.AddRepositoryMaintenanceTasks(),
            new DurableTaskTestHostOptions { Port = FreePort.Next(), ConfigureServices = services => services.AddSingleton(service) });
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Gc_ThreeCyclesPastTheGrace_MarksThenFreesTheGarbage_ReportsTheRepositoryNotWrittenYet_AndTheSnapshotRestores()
    {
        var files = GcKit.Files(("a.txt", Bytes(1, 9000)), ("b/c.txt", Bytes(2, 5000)));
        await _kit.SnapshotAsync(files, "run-1");
        var garbage = await WriteOrphanChunksAsync(Bytes(3, 7000));
        _kit.PassGrace();

        var first = await GcAsync(dryRun: false);
        _kit.PassGrace();
        await GcAsync(dryRun: false);
        _kit.PassGrace();
        var beforeDry = _kit.Store.Paths.Order(StringComparer.Ordinal).ToList();
        var dry = await GcAsync(dryRun: true);
        var afterDry = _kit.Store.Paths.Order(StringComparer.Ordinal).ToList();
        var third = await GcAsync(dryRun: false);

        Assert.Equal([Missing, Written], first.Repositories.Select(r => r.Repository));
        var missing = first.Repositories[0];
        Assert.Contains("no repository", missing.Error, StringComparison.OrdinalIgnoreCase);
        var marked = first.Repositories[1];
        Assert.Null(marked.Error);
        Assert.True(marked.Scanned.Objects > garbage.Count, $"scanned {marked.Scanned}");
        Assert.Equal(garbage.Count, marked.Orphaned.Objects);
        Assert.Equal(0, marked.Freed.Objects);
        Assert.Equal(garbage.Count, dry.Repositories[1].Freed.Objects);
        Assert.Equal(beforeDry, afterDry);
        Assert.Equal(garbage.Count, third.Repositories[1].Freed.Objects);
        Assert.Equal(third.Repositories.Sum(r => r.Freed.Bytes), third.Freed.Bytes);
        Assert.DoesNotContain(_kit.Store.Paths, garbage.Contains);
        await _kit.AssertEverySnapshotRestoresAsync();
    }

    [Fact]
    public async Task Gc_OneRepositoryNamed_MaintainsOnlyThatOne_AndTheCustomStatusCountsIt()
    {
        await _kit.SnapshotAsync(GcKit.Files(("a.txt", Bytes(4, 3000))), "run-1");

        var id = await _host!.Client.ScheduleNewOrchestrationInstanceAsync(RepositoryMaintenanceNames.Orchestrator, new RepositoryMaintenanceInput("gc", DryRun: true, Repository: Written));
        var state = await _host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, state.RuntimeStatus);
        var output = state.ReadOutputAs<RepositoryMaintenanceOutput>()!;
        Assert.Equal([Written], output.Repositories.Select(r => r.Repository));
        Assert.True(output.DryRun);
        Assert.Equal(new RepositoryMaintenanceProgress("gc", true, 1, 1, null), state.ReadCustomStatusAs<RepositoryMaintenanceProgress>());
    }

    /// <summary>s1 {a, b} in one pack, s2 {a, c}, s1 forgotten: s1's pack is about half dead; compaction marks it, GC marks it again, and past the grace compaction repacks it.</summary>
    [Fact]
    public async Task Compact_ThenGcThenCompactPastTheGrace_RepacksTheHalfDeadPackAndEverySnapshotRestores()
    {
        var (a, b, c) = (Bytes(11, 20_000), Bytes(12, 15_000), Bytes(13, 12_000));
        var s1 = await _kit.SnapshotAsync(GcKit.Files(("a", a), ("b", b)), "run-1");
        await _kit.SnapshotAsync(GcKit.Files(("a", a), ("c", c)), "run-2");
        await new SnapshotForgetter(_kit.Repository, _kit.Clock).ApplyAsync(new RetentionPlan([], [s1]), CancellationToken.None);
        _kit.Expected.Remove(s1.Id);
        _kit.PassGrace();

        var marked = (await RunAsync(RepositoryOperations.Compact, dryRun: false)).Repositories.Single(r => r.Repository == Written);
        await GcAsync(dryRun: false);
        _kit.PassGrace();
        var repacked = (await RunAsync(RepositoryOperations.Compact, dryRun: false)).Repositories.Single(r => r.Repository == Written);

        Assert.Equal((1, 0), (marked.Compact!.PacksMarked, marked.Compact.PacksRepacked));
        Assert.Equal(1, marked.Orphaned.Objects);
        Assert.Equal(1, repacked.Compact!.PacksRepacked);
        Assert.True(repacked.Freed.Bytes > 0, repacked.ToString());
        Assert.Equal(repacked.Compact.ReclaimableBytes, repacked.Freed.Bytes);
        await _kit.AssertEverySnapshotRestoresAsync();
    }

    /// <summary>Seventeen snapshots of one pair: compaction merges all but the latest record into one record set, reported through the orchestration.</summary>
    [Fact]
    public async Task Compact_SeventeenSnapshots_MergesAllButTheLatestRecordIntoOneSet()
    {
        for (var i = 0; i < 17; i++)
        {
            _kit.Clock.Advance(TimeSpan.FromMinutes(1));
            await _kit.SnapshotAsync(GcKit.Files(("f", Bytes(30 + i, 1000))), $"run-{i}");
        }

        var dry = (await RunAsync(RepositoryOperations.Compact, dryRun: true)).Repositories.Single(r => r.Repository == Written);
        var done = (await RunAsync(RepositoryOperations.Compact, dryRun: false)).Repositories.Single(r => r.Repository == Written);

        Assert.Equal(new RecordMergeReport(true, 17, 16, 0, 0, 1), dry.Records);
        Assert.Equal(new RecordMergeReport(false, 17, 16, 0, 1, 1), done.Records);
        Assert.Single(_kit.Store.Paths, p => p.StartsWith(RepositoryLayout.RecordSetsFolder, StringComparison.Ordinal));
        await _kit.AssertEverySnapshotRestoresAsync();
    }

    private Task<RepositoryMaintenanceOutput> GcAsync(bool dryRun) => RunAsync(RepositoryOperations.Gc, dryRun);

    private async Task<RepositoryMaintenanceOutput> RunAsync(string operation, bool dryRun)
    {
        var id = await _host!.Client.ScheduleNewOrchestrationInstanceAsync(RepositoryMaintenanceNames.Orchestrator, new RepositoryMaintenanceInput(operation, dryRun));
        var state = await _host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true);
        Assert.True(state.RuntimeStatus == OrchestrationRuntimeStatus.Completed, state.FailureDetails?.ToString());
        return state.ReadOutputAs<RepositoryMaintenanceOutput>()!;
    }

    /// <summary>Chunks a file and flushes (a pack and its index) without ever writing a snapshot: what an abandoned run leaves.</summary>
    private async Task<List<string>> WriteOrphanChunksAsync(byte[] content)
    {
        var before = _kit.Store.Paths.ToHashSet(StringComparer.Ordinal);
        var writer = _kit.Repository.Content.NewWriter();
        using var stream = new MemoryStream(content);
        await _kit.Repository.Content.ChunkFileAsync(stream, writer, CancellationToken.None);
        await writer.FlushAsync(CancellationToken.None);
        return [.. _kit.Store.Paths.Where(p => !before.Contains(p))];
    }

    private static byte[] Bytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private sealed class Roots(Dictionary<string, IObjectStore> stores) : IRepositoryRoots
    {
        public IObjectStore OpenRoot(string repository) => stores[repository];
    }
}
