using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using SyncFunctions.Abstractions;
using SyncFunctions.Azure;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Retry;
using SyncFunctions.Core.Stores;
using SyncFunctions.IntegrationTests.Infrastructure;
using SyncFunctions.Orchestration;
using SyncFunctions.Orchestration.Service;
using SyncFunctions.Serve;

namespace SyncFunctions.IntegrationTests.Serve;

/// <summary>
/// Triggers that arrive while a run is active coalesce into one more run, on the Azure Storage task hub (Azurite):
/// 1,000 concurrent starts of one pair make exactly two runs.
/// </summary>
[Collection("azurite")]
public sealed class DurableFollowUpTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("syncfn-burst-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task StartAsync_ThousandConcurrentTriggersDuringARun_ExactlyOneFollowUpRunAndBothSucceed()
    {
        for (var i = 0; i < 6; i++)
        {
            await File.WriteAllTextAsync(Path.Join(_root, $"f{i}.txt"), new string('b', 300 + i));
        }

        var connection = azurite.Connect();
        var container = AzuriteFixture.NewContainerName("burst");
        var table = TableLedger.Create(connection, AzuriteFixture.NewTablePrefix());
        await table.InitializeAsync(default);
        var owner = new OwnerIdentity("burst-it", Environment.ProcessId, DateTimeOffset.UtcNow);
        var env = new EngineEnvironment(TimeProvider.System, owner, new UnknownLiveness(), Settings: new StepSettings { CoordinatorLease = TimeSpan.FromMinutes(10) });
        var policy = RetryDecorators.PolicyFor(env.Time, env.Steps);
        var ledger = RetryDecorators.Ledger(table, policy);

        // The first run's observation waits at this gate until every trigger has arrived.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var source = new GatedStore(new LocalFolderStore(_root, TimeProvider.System), gate.Task);
        using var steps = new RunSteps(ledger, source, RetryDecorators.Store(BlobObjectStore.Create(connection, container), policy), env, parallel: 4);
        var hub = "h" + Guid.NewGuid().ToString("N")[..12];
        await using var host = await DurableHost.StartAsync(new DurableHostOptions(azurite.ConnectionString, hub, "w-" + hub, MaxConcurrentActivities: 4), new Provider(steps, owner));
        var pairs = new PairService(ledger, new AsGiven(), TimeProvider.System);
        Assert.Equal(ServiceOutcome.Created, (await pairs.AddAsync(new PairRequest("burst", "local:" + _root, "blob:" + container), default)).Outcome);
        var runs = new RunService(ledger, pairs, new Provider(steps, owner), host.Client, TimeProvider.System)
        {
            Limits = new RunOrchestrationLimits(MaxInFlight: 4, IdleWaitSeconds: 1),
        };

        var kinds = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (_, ct) =>
        {
            var result = await runs.StartAsync("burst", "webhook", markDirtyWhenBusy: true, ct);
            kinds.Add(result.Value?.Kind ?? result.Problem ?? "?");
        });
        gate.SetResult();

        Assert.Equal(new Dictionary<string, int> { ["started"] = 1, ["marked-dirty"] = 999 }, kinds.GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count()));
        var pairId = (await pairs.FindAsync("burst", default)).Value!.PairId;
        var firstId = (await ledger.GetPairAsync(pairId, default))!.ActiveRunId!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var first = await host.Client.WaitForInstanceCompletionAsync(firstId, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, first.RuntimeStatus);
        Assert.True(first.ReadOutputAs<FinalizeResult>()!.RunAgain);
        var nextId = first.ReadCustomStatusAs<RunStatusView>()!.NextRunId!;
        var next = await host.Client.WaitForInstanceCompletionAsync(nextId, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, next.RuntimeStatus);
        Assert.False(next.ReadOutputAs<FinalizeResult>()!.RunAgain);

        var all = new List<RunRecord>();
        await foreach (var run in ledger.ListRunsAsync(pairId, default))
        {
            all.Add(run);
        }

        Assert.Equal(
            [(firstId, "webhook", RunStatus.Succeeded), (nextId, RunSteps.FollowUpTrigger, RunStatus.Succeeded)],
            all.OrderBy(r => r.RunId == nextId).Select(r => (r.RunId, r.Trigger, r.Status)));
        var pair = (await ledger.GetPairAsync(pairId, default))!;
        Assert.Equal((null, false), (pair.ActiveRunId, pair.Dirty));
    }

    /// <summary>A source whose listing waits for a gate.</summary>
    private sealed class GatedStore(IObjectStore inner, Task gate) : IObjectStore
    {
        public string DisplayName => inner.DisplayName;

        public async IAsyncEnumerable<ListingEntry> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken);
            await foreach (var entry in inner.ListAsync(cancellationToken))
            {
                yield return entry;
            }
        }

        public Task<ObjectInfo?> GetInfoAsync(string path, CancellationToken cancellationToken) => inner.GetInfoAsync(path, cancellationToken);

        public Task<Stream> OpenReadAsync(string path, long offset, long? length, CancellationToken cancellationToken) => inner.OpenReadAsync(path, offset, length, cancellationToken);

        public Task<WriteResult> WriteAsync(string path, Stream content, WriteOptions options, CancellationToken cancellationToken) => inner.WriteAsync(path, content, options, cancellationToken);

        public Task DeleteAsync(string path, WriteOptions options, CancellationToken cancellationToken) => inner.DeleteAsync(path, options, cancellationToken);
    }

    private sealed class AsGiven : IPairEndpoints
    {
        public (string Source, string Destination) Resolve(string source, string destination) => (source, destination);
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
