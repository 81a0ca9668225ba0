using System.Security.Cryptography;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Stores;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Orchestration.Tests;

/// <summary>
/// The run orchestration on the in-memory Durable test host: the same steps as <c>syncfn sync</c>, driven by
/// activities, with generations small enough that the orchestration continues as new several times.
/// </summary>
public sealed class RunOrchestratorTests : IAsyncLifetime
{
    private const int ChunkSize = 64 * 1024;
    private readonly string _root = Directory.CreateTempSubdirectory("syncfn-orch-").FullName;
    private readonly InMemoryLedger _ledger = new();
    private readonly InMemoryObjectStore _destination = new();
    private readonly Provider _provider;
    private DurableTaskTestHost? _host;

    public RunOrchestratorTests()
    {
        var env = new EngineEnvironment(TimeProvider.System, new OwnerIdentity("orch-test", Environment.ProcessId, DateTimeOffset.UtcNow), new UnknownLiveness(), Settings: new StepSettings { CoordinatorLease = TimeSpan.FromMinutes(10) });
        _provider = new Provider(new RunSteps(_ledger, new LocalFolderStore(_root, TimeProvider.System), _destination, env, parallel: 4), env.Owner);
    }

    public async Task InitializeAsync() =>
        _host = await DurableTaskTestHost.StartAsync(
            r => r.AddSyncTasks(),
            new DurableTaskTestHostOptions { Port = FreePort.Next(), ConfigureServices = services => services.AddSingleton<IRunStepsProvider>(_provider) });

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _provider.Steps.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Run_SmallAndLargeFilesOverSeveralGenerations_DestinationEqualsSourceAndRunSucceeded()
    {
        var expected = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < 12; i++)
        {
            expected[$"d{i % 3}/f{i}.txt"] = Write($"d{i % 3}/f{i}.txt", 100 + (i * 37));
        }

        expected["big.bin"] = Write("big.bin", (8 * ChunkSize) + 123);
        var pair = new PairRecord("p-orch", "local:" + _root, "memory:" + _destination.StoreId);

        // Three actions per listing segment, four activities per generation: observation and execution both continue as new.
        var (instance, state) = await RunAsync(pair, new SyncOptions { ChunkSize = ChunkSize }, new RunOrchestrationLimits(MaxInFlight: 3, ActivitiesPerGeneration: 4, ObserveActionsPerUnit: 3, IdleWaitSeconds: 1));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, state.RuntimeStatus);
        var result = state.ReadOutputAs<FinalizeResult>();
        Assert.NotNull(result);
        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(13, result.Progress.Succeeded);
        Assert.Equal(expected, new SortedDictionary<string, string>(_destination.Paths.ToDictionary(p => p, p => Hash(_destination.TryGet(p)!)), StringComparer.Ordinal));
        var run = await _ledger.GetRunAsync(pair.PairId, instance, default);
        Assert.Equal(RunStatus.Succeeded, run!.Status);
        var status = state.ReadCustomStatusAs<RunStatusView>();
        Assert.True(status is { Generation: >= 1 }, $"the orchestration never continued as new: {state.SerializedCustomStatus}");
    }

    [Fact]
    public async Task Run_CancelRequestedInTheLedger_EndsCancelledWithoutTouchingTheCursor()
    {
        for (var i = 0; i < 6; i++)
        {
            Write($"f{i}.txt", 50);
        }

        var pair = new PairRecord("p-orch-cancel", "local:" + _root, "memory:" + _destination.StoreId);
        var steps = await _provider.GetAsync(pair.PairId, default);
        var start = await steps.StartRunAsync(new StartRunRequest(pair, new SyncOptions(), "orch:cancel"), default);
        var runRow = await _ledger.GetRunAsync(pair.PairId, start.RunId!, default);
        Assert.True(await _ledger.TryUpdateRunAsync(runRow! with { CancelRequested = true }, default) is not null);

        var state = await ScheduleAndWaitAsync(new RunOrchestrationInput(pair.PairId, start.RunId!, "orch:cancel"));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.Equal(RunStatus.Cancelled, state.ReadOutputAs<FinalizeResult>()!.Status);
        Assert.Empty(_destination.Paths);
    }

    [Fact]
    public async Task Run_SourceGoneSoObserveKeepsFailing_OrchestrationFailsAndTheRunIsHandedBackWithTheReason()
    {
        var pair = new PairRecord("p-orch-gone", "local:" + _root, "memory:" + _destination.StoreId);
        var steps = await _provider.GetAsync(pair.PairId, default);
        var start = await steps.StartRunAsync(new StartRunRequest(pair, new SyncOptions(), "orch:gone"), default);
        Directory.Delete(_root, recursive: true);

        var state = await ScheduleAndWaitAsync(new RunOrchestrationInput(pair.PairId, start.RunId!, "orch:gone"));

        Assert.Equal(OrchestrationRuntimeStatus.Failed, state.RuntimeStatus);
        var run = await _ledger.GetRunAsync(pair.PairId, start.RunId!, default);
        Assert.Equal(RunStatus.Running, run!.Status);
        Assert.Null(run.CoordinatorId);
        Assert.False(string.IsNullOrEmpty(run.Error));

        // Handed back: the next start takes the run over at once instead of finding the pair busy.
        var again = await steps.StartRunAsync(new StartRunRequest(pair, new SyncOptions(), "orch:again"), default);
        Assert.Equal((StartKind.Resumed, start.RunId), (again.Kind, again.RunId));
    }

    [Fact]
    public void Batch_IsolatedItemAmongOthers_GoesAlone()
    {
        WorkItemTicket[] claimable = [new("1", WorkItemKind.SmallBatch), new("2", WorkItemKind.ChunkRange, Isolate: true), new("3", WorkItemKind.SmallBatch)];

        Assert.Equal(["2"], RunOrchestrator.Batch(claimable, 16).Select(t => t.ItemId));
        Assert.Equal(["1", "3"], RunOrchestrator.Batch([claimable[0], claimable[2]], 2).Select(t => t.ItemId));
    }

    private async Task<(string Instance, OrchestrationMetadata State)> RunAsync(PairRecord pair, SyncOptions options, RunOrchestrationLimits limits)
    {
        var steps = await _provider.GetAsync(pair.PairId, default);
        var coordinator = "orch:" + Guid.NewGuid().ToString("N");
        var start = await steps.StartRunAsync(new StartRunRequest(pair, options, coordinator), default);
        Assert.Equal(StartKind.Started, start.Kind);
        var state = await ScheduleAndWaitAsync(new RunOrchestrationInput(pair.PairId, start.RunId!, coordinator, Limits: limits));
        return (start.RunId!, state);
    }

    private async Task<OrchestrationMetadata> ScheduleAndWaitAsync(RunOrchestrationInput input)
    {
        var client = _host!.Client;
        await client.ScheduleNewOrchestrationInstanceAsync(RunActivityNames.Orchestrator, input, new StartOrchestrationOptions(input.RunId));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        return await client.WaitForInstanceCompletionAsync(input.RunId, getInputsAndOutputs: true, timeout.Token);
    }

    private string Write(string relative, int size)
    {
        var content = new byte[size];
        new Random(relative.GetHashCode(StringComparison.Ordinal)).NextBytes(content);
        var path = Path.Join(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return Hash(content);
    }

    private static string Hash(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private sealed class UnknownLiveness : IOwnerLiveness
    {
        public bool? IsAlive(string host, int pid, DateTimeOffset started) => null;
    }

    private sealed class Provider(RunSteps steps, OwnerIdentity owner) : IRunStepsProvider
    {
        public RunSteps Steps => steps;

        public ValueTask<RunSteps> GetAsync(string pairId, CancellationToken cancellationToken) => ValueTask.FromResult(steps);

        public string NewWorkerId() => LeaseOwners.New(owner);
    }
}
