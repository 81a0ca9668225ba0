using System.Runtime.CompilerServices;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using SyncFunctions.Abstractions;
using SyncFunctions.Orchestration.Repositories;
using SyncFunctions.Orchestration.Service;
using SyncFunctions.Tests.Fakes;
using SyncFunctions.Tests.Snapshots.Maintenance;

namespace SyncFunctions.Orchestration.Tests;

/// <summary>
/// Starting maintenance runs on the in-memory Durable test host: one maintenance run (GC or compaction) at a time; a
/// second start answers a conflict naming the running one; bad input is refused before anything starts.
/// </summary>
public sealed class RepositoryMaintenanceRunsTests : IAsyncLifetime
{
    private readonly GatedCatalog _pairs = new();
    private DurableTaskTestHost? _host;
    private RepositoryMaintenanceRuns _runs = null!;

    public async Task InitializeAsync()
    {
        var kit = await GcKit.CreateAsync();
        var catalog = new RepositoryCatalog(_pairs, new Roots(kit.Store));
        var service = new RepositoryMaintenanceService(catalog, kit.Clock, GcKit.Safety);
        _host = await DurableTaskTestHost.StartAsync(
            r => r.AddRepositoryMaintenanceTasks(),
            new DurableTaskTestHostOptions { Port = FreePort.Next(), ConfigureServices = services => services.AddSingleton(service) });
        _runs = new RepositoryMaintenanceRuns(_host.Client, catalog, kit.Clock);
    }

    public async Task DisposeAsync()
    {
        _pairs.Open();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Fact]
    public async Task StartAsync_WhileGcRuns_CompactAndGcAreRefusedNamingIt_AfterItEndsCompactStarts()
    {
        var gc = await _runs.StartAsync(RepositoryOperations.Gc, new RepositoryMaintenanceRequest(DryRun: true), default);
        var compact = await _runs.StartAsync(RepositoryOperations.Compact, new RepositoryMaintenanceRequest(DryRun: true), default);
        var second = await _runs.StartAsync(RepositoryOperations.Gc, new RepositoryMaintenanceRequest(), default);
        _pairs.Open();
        var ended = await _runs.WaitAsync(gc.Value!.Id, TimeSpan.FromMinutes(1), default);
        var later = await _runs.StartAsync(RepositoryOperations.Compact, new RepositoryMaintenanceRequest(DryRun: true), default);

        Assert.Equal(ServiceOutcome.Accepted, gc.Outcome);
        Assert.StartsWith(RepositoryMaintenanceNames.PrefixOf(RepositoryOperations.Gc), gc.Value.Id, StringComparison.Ordinal);
        Assert.Equal((ServiceOutcome.Conflict, gc.Value.Id), (compact.Outcome, compact.Value?.Id));
        Assert.Contains("one maintenance run at a time", compact.Problem, StringComparison.Ordinal);
        Assert.Equal((ServiceOutcome.Conflict, gc.Value.Id), (second.Outcome, second.Value?.Id));
        Assert.Equal("Completed", ended.Value!.RuntimeStatus);
        Assert.Equal(ServiceOutcome.Accepted, later.Outcome);
        Assert.StartsWith(RepositoryMaintenanceNames.PrefixOf(RepositoryOperations.Compact), later.Value!.Id, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("prune", null, null, ServiceOutcome.NotFound)]
    [InlineData("gc", 0, null, ServiceOutcome.Invalid)]
    [InlineData("gc", 1_000_001, null, ServiceOutcome.Invalid)]
    [InlineData("gc", null, "repo:unknown", ServiceOutcome.NotFound)]
    public async Task StartAsync_BadInput_IsRefusedAndStartsNothing(string operation, int? max, string? repository, ServiceOutcome expected)
    {
        _pairs.Open();

        var result = await _runs.StartAsync(operation, new RepositoryMaintenanceRequest(DryRun: true, Max: max, Repository: repository), default);

        Assert.Equal(expected, result.Outcome);
        var instances = new List<string>();
        await foreach (var instance in _host!.Client.GetAllInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = RepositoryMaintenanceNames.InstancePrefix }))
        {
            instances.Add(instance.InstanceId);
        }

        Assert.Empty(instances);
    }

    [Fact]
    public async Task GetAsync_NotAMaintenanceId_IsNotFound()
    {
        Assert.Equal(ServiceOutcome.NotFound, (await _runs.GetAsync("20260101T000000-abcdef01", default)).Outcome);
        Assert.Equal(ServiceOutcome.NotFound, (await _runs.GetAsync("maintenance-gc-none", default)).Outcome);
    }

    /// <summary>One pair writing into a repository; listing it waits until <see cref="Open"/>: a maintenance run stays Running till then.</summary>
    private sealed class GatedCatalog : IPairCatalog
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public void Open() => _gate.TrySetResult();

        public Task<PairDefinition?> GetDefinitionAsync(string name, CancellationToken cancellationToken) => Task.FromResult<PairDefinition?>(null);

        public async IAsyncEnumerable<PairDefinition> ListDefinitionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await _gate.Task.WaitAsync(cancellationToken);

            yield return new PairDefinition("docs", "pair-docs", "local:/docs", "repo:one");
        }

        public Task<PairDefinition?> TryAddDefinitionAsync(PairDefinition definition, CancellationToken cancellationToken) => Task.FromResult<PairDefinition?>(null);

        public Task<bool> RemoveDefinitionAsync(string name, CancellationToken cancellationToken) => Task.FromResult(false);
    }

    private sealed class Roots(IObjectStore store) : IRepositoryRoots
    {
        public IObjectStore OpenRoot(string repository) => store;
    }
}
