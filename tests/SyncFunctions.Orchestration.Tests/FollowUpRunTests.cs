using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Stores;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Orchestration.Tests;

/// <summary>
/// A run whose pair was marked dirty while it ran is followed by exactly one more run: the follow-up step's
/// idempotence on the ledger, the start races around it, and the orchestration on the in-memory Durable host.
/// </summary>
public sealed class FollowUpRunTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("syncfn-followup-").FullName;
    private readonly InMemoryLedger _ledger = new();
    private readonly InMemoryObjectStore _destination = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
    private readonly OwnerIdentity _owner = new("followup-test", Environment.ProcessId, DateTimeOffset.UtcNow);
    private DurableTaskTestHost? _host;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task StartFollowUpRunAsync_CalledTwice_StartsOneRunWithTheDerivedId()
    {
        using var steps = Steps(_clock);
        var (pair, first) = await EndedDirtyRunAsync(steps);

        var a = await steps.StartFollowUpRunAsync(pair.PairId, first.RunId, "orch:1", default);
        var b = await steps.StartFollowUpRunAsync(pair.PairId, first.RunId, "orch:1", default);

        Assert.Equal(StartKind.Started, a.Kind);
        Assert.Equal((StartKind.Started, a.RunId), (b.Kind, b.RunId));
        Assert.Equal(RunIds.FollowUp(first.RunId, first.EndedAt!.Value), a.RunId);
        var runs = await RunsAsync(pair.PairId);
        Assert.Equal(2, runs.Count);
        var follow = runs.Single(r => r.RunId == a.RunId);
        Assert.Equal((RunSteps.FollowUpTrigger, RunStatus.Running, "orch:1"), (follow.Trigger, follow.Status, follow.CoordinatorId));
        Assert.Equal(a.RunId, (await _ledger.GetPairAsync(pair.PairId, default))!.ActiveRunId);
    }

    [Fact]
    public async Task StartFollowUpRunAsync_AfterTheFollowUpEnded_StartsNothing()
    {
        using var steps = Steps(_clock);
        var (pair, first) = await EndedDirtyRunAsync(steps);
        var follow = await steps.StartFollowUpRunAsync(pair.PairId, first.RunId, "orch:1", default);
        await steps.CancelRunAsync(new RunRef(pair.PairId, follow.RunId!, "orch:1"), default);

        var again = await steps.StartFollowUpRunAsync(pair.PairId, first.RunId, "orch:2", default);

        Assert.Equal(StartKind.Busy, again.Kind);
        Assert.Equal(2, (await RunsAsync(pair.PairId)).Count);
        Assert.Null((await _ledger.GetPairAsync(pair.PairId, default))!.ActiveRunId);
    }

    [Fact]
    public async Task StartFollowUpRunAsync_AnotherRunStartedMeanwhile_IsBusyAndStartsNothing()
    {
        using var steps = Steps(_clock);
        var (pair, first) = await EndedDirtyRunAsync(steps);
        var other = await steps.StartRunAsync(new StartRunRequest(pair, new SyncOptions(), "cli:x"), default);

        var follow = await steps.StartFollowUpRunAsync(pair.PairId, first.RunId, "orch:1", default);

        Assert.Equal((StartKind.Busy, other.RunId), (follow.Kind, follow.RunId));
        Assert.Equal(2, (await RunsAsync(pair.PairId)).Count);
    }

    [Fact]
    public async Task StartRunAsync_PairSetButRunRowNotYetWritten_IsBusyUntilALeaseHasPassed()
    {
        using var steps = Steps(_clock);
        var pair = await _ledger.GetOrCreatePairAsync(new PairRecord("p-racing", "local:" + _root, "memory:" + _destination.StoreId), default);
        var starting = RunIds.New(_clock.GetUtcNow());
        Assert.NotNull(await _ledger.TryUpdatePairAsync(pair with { ActiveRunId = starting }, default));

        var racing = await steps.StartRunAsync(new StartRunRequest(pair, new SyncOptions(), "cli:b", MarkDirtyWhenBusy: true), default);
        _clock.Advance(TimeSpan.FromMinutes(11));
        var later = await steps.StartRunAsync(new StartRunRequest(pair, new SyncOptions(), "cli:c"), default);

        Assert.Equal((StartKind.MarkedDirty, starting), (racing.Kind, racing.RunId));
        Assert.Equal(StartKind.Started, later.Kind);
        Assert.NotEqual(starting, later.RunId);
    }

    [Fact]
    public async Task StartRunAsync_ActiveRunEndsWhileATriggerMarksIt_TriggerStartsANewRun()
    {
        using var steps = Steps(_clock);
        var pair = new PairRecord("p-ending", "local:" + _root, "memory:" + _destination.StoreId);
        var first = await steps.StartRunAsync(new StartRunRequest(pair, new SyncOptions(), "cli:a"), default);
        var ended = false;
        _ledger.BeforeOperation = async (name, ct) =>
        {
            // The trigger has read the active run; the run ends before the trigger writes its mark.
            if (name == nameof(InMemoryLedger.TryUpdatePairAsync) && !ended)
            {
                ended = true;
                _ledger.BeforeOperation = null;
                await steps.CancelRunAsync(new RunRef(pair.PairId, first.RunId!, "cli:a"), ct);
            }
        };

        var trigger = await steps.StartRunAsync(new StartRunRequest(pair, new SyncOptions(), "cli:b", MarkDirtyWhenBusy: true), default);

        Assert.Equal(StartKind.Started, trigger.Kind);
        Assert.NotEqual(first.RunId, trigger.RunId);
    }

    [Fact]
    public async Task Run_PairMarkedDirtyDuringTheRun_OrchestrationStartsOneFollowUpRunThatCompletes()
    {
        for (var i = 0; i < 4; i++)
        {
            await File.WriteAllTextAsync(Path.Join(_root, $"f{i}.txt"), new string('x', 100 + i));
        }

        using var steps = Steps(TimeProvider.System);
        var provider = new FixedStepsProvider(steps, _owner);
        _host = await FixedStepsProvider.StartHostAsync(provider);
        var pair = new PairRecord("p-followup", "local:" + _root, "memory:" + _destination.StoreId);
        var first = await steps.StartRunAsync(new StartRunRequest(pair, new SyncOptions { Trigger = "webhook" }, "orch:first"), default);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(StartKind.MarkedDirty, (await steps.StartRunAsync(new StartRunRequest(pair, new SyncOptions { Trigger = "webhook" }, "orch:x", MarkDirtyWhenBusy: true), default)).Kind);
        }

        await _host.Client.ScheduleNewOrchestrationInstanceAsync(RunActivityNames.Orchestrator, new RunOrchestrationInput(pair.PairId, first.RunId!, "orch:first"), new StartOrchestrationOptions(first.RunId!));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var state = await _host.Client.WaitForInstanceCompletionAsync(first.RunId!, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.True(state.ReadOutputAs<FinalizeResult>()!.RunAgain);
        var nextId = state.ReadCustomStatusAs<RunStatusView>()!.NextRunId;
        Assert.NotNull(nextId);
        var next = await _host.Client.WaitForInstanceCompletionAsync(nextId, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, next.RuntimeStatus);
        Assert.False(next.ReadOutputAs<FinalizeResult>()!.RunAgain);
        var runs = await RunsAsync(pair.PairId);
        Assert.Equal([(first.RunId!, "webhook", RunStatus.Succeeded), (nextId, RunSteps.FollowUpTrigger, RunStatus.Succeeded)], runs.OrderBy(r => r.CreatedAt).ThenBy(r => r.RunId == nextId).Select(r => (r.RunId, r.Trigger, r.Status)));
        Assert.Null((await _ledger.GetPairAsync(pair.PairId, default))!.ActiveRunId);
    }

    private RunSteps Steps(TimeProvider time)
    {
        var env = new EngineEnvironment(time, _owner, new UnknownLiveness(), Settings: new StepSettings { CoordinatorLease = TimeSpan.FromMinutes(10) });
        return new RunSteps(_ledger, new LocalFolderStore(_root, time), _destination, env, parallel: 2);
    }

    /// <summary>A pair whose run was marked dirty and then ended (cancelled: the follow-up step only reads that it ended).</summary>
    private async Task<(PairRecord Pair, RunRecord Run)> EndedDirtyRunAsync(RunSteps steps)
    {
        var pair = new PairRecord("p-" + Guid.NewGuid().ToString("N")[..8], "local:" + _root, "memory:" + _destination.StoreId);
        var start = await steps.StartRunAsync(new StartRunRequest(pair, new SyncOptions { Trigger = "webhook" }, "orch:0"), default);
        await steps.StartRunAsync(new StartRunRequest(pair, new SyncOptions(), "orch:x", MarkDirtyWhenBusy: true), default);
        _clock.Advance(TimeSpan.FromSeconds(7));
        await steps.CancelRunAsync(new RunRef(pair.PairId, start.RunId!, "orch:0"), default);
        return (pair, (await _ledger.GetRunAsync(pair.PairId, start.RunId!, default))!);
    }

    private async Task<List<RunRecord>> RunsAsync(string pairId)
    {
        var runs = new List<RunRecord>();
        await foreach (var run in _ledger.ListRunsAsync(pairId, default))
        {
            runs.Add(run);
        }

        return runs;
    }
}
