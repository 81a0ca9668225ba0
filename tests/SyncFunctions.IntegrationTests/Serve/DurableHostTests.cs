using System.Security.Cryptography;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using SyncFunctions.Abstractions;
using SyncFunctions.Azure;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Retry;
using SyncFunctions.Core.Stores;
using SyncFunctions.IntegrationTests.Infrastructure;
using SyncFunctions.Orchestration;
using SyncFunctions.Serve;

namespace SyncFunctions.IntegrationTests.Serve;

/// <summary>
/// The run orchestration hosted durably without the Functions host: the Azure Storage task hub on Azurite behind the
/// SDK's gRPC sidecar, with a Table ledger and a Blob destination, as <c>syncfn serve</c> runs it.
/// </summary>
[Collection("azurite")]
public sealed class DurableHostTests(AzuriteFixture azurite) : IDisposable
{
    private const int ChunkSize = 64 * 1024;
    private readonly string _root = Directory.CreateTempSubdirectory("syncfn-durable-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Run_OnAzureStorageTaskHub_DestinationEqualsSourceAndLedgerSucceeded()
    {
        var expected = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < 30; i++)
        {
            expected[$"d{i % 4}/f{i}.txt"] = Write($"d{i % 4}/f{i}.txt", 200 + (i * 91));
        }

        expected["big.bin"] = Write("big.bin", (6 * ChunkSize) + 17);
        var connection = azurite.Connect();
        var container = AzuriteFixture.NewContainerName("durable");
        var ledger = TableLedger.Create(connection, AzuriteFixture.NewTablePrefix());
        await ledger.InitializeAsync(default);
        var destination = BlobObjectStore.Create(connection, container);
        var owner = new OwnerIdentity("durable-it", Environment.ProcessId, DateTimeOffset.UtcNow);
        var env = new EngineEnvironment(TimeProvider.System, owner, new UnknownLiveness(), Settings: new StepSettings { CoordinatorLease = TimeSpan.FromMinutes(10) });
        var policy = RetryDecorators.PolicyFor(env.Time, env.Steps);
        using var steps = new RunSteps(RetryDecorators.Ledger(ledger, policy), new LocalFolderStore(_root, TimeProvider.System), RetryDecorators.Store(destination, policy), env, parallel: 4);
        var pair = new PairRecord("p-durable-" + container, "local:" + _root, "blob:" + container);
        var hub = "h" + Guid.NewGuid().ToString("N")[..12];

        await using (var host = await DurableHost.StartAsync(new DurableHostOptions(azurite.ConnectionString, hub, "w-" + hub, MaxConcurrentActivities: 4), new Provider(steps, owner)))
        {
            var coordinator = LeaseOwners.New(owner);
            var start = await steps.StartRunAsync(new StartRunRequest(pair, new SyncOptions { ChunkSize = ChunkSize }, coordinator), default);
            var input = new RunOrchestrationInput(pair.PairId, start.RunId!, coordinator, Limits: new RunOrchestrationLimits(MaxInFlight: 4, ActivitiesPerGeneration: 8, ObserveActionsPerUnit: 10, IdleWaitSeconds: 1));
            await host.Client.ScheduleNewOrchestrationInstanceAsync(RunActivityNames.Orchestrator, input, new StartOrchestrationOptions(input.RunId));
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            var state = await host.Client.WaitForInstanceCompletionAsync(input.RunId, getInputsAndOutputs: true, timeout.Token);

            Assert.Equal(OrchestrationRuntimeStatus.Completed, state.RuntimeStatus);
            Assert.Equal(RunStatus.Succeeded, state.ReadOutputAs<FinalizeResult>()!.Status);
            Assert.Equal(RunStatus.Succeeded, (await ledger.GetRunAsync(pair.PairId, start.RunId!, default))!.Status);
        }

        var actual = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var entry in destination.ListAsync(default))
        {
            var item = entry.Object!;
            await using var content = await destination.OpenReadAsync(item.Path, 0, null, default);
            actual[item.Path] = Convert.ToHexStringLower(await SHA256.HashDataAsync(content));
        }

        Assert.Equal(expected, actual);
    }

    private string Write(string relative, int size)
    {
        var content = new byte[size];
        new Random(relative.GetHashCode(StringComparison.Ordinal)).NextBytes(content);
        var path = Path.Join(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return Convert.ToHexStringLower(SHA256.HashData(content));
    }

    private sealed class UnknownLiveness : IOwnerLiveness
    {
        public bool? IsAlive(string host, int pid, DateTimeOffset started) => null;
    }

    private sealed class Provider(RunSteps steps, OwnerIdentity owner) : IRunStepsProvider
    {
        public ValueTask<RunSteps> GetAsync(string pairId, CancellationToken cancellationToken) => ValueTask.FromResult(steps);

        public string NewWorkerId() => LeaseOwners.New(owner);
    }
}
