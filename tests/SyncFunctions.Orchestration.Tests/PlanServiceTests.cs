using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Maintenance;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Stores;
using SyncFunctions.Orchestration.Service;
using SyncFunctions.Orchestration.Tests.Webhooks;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Orchestration.Tests;

/// <summary>
/// Preview, then apply, on the in-memory Durable host: a plan applied runs to completion; an expired one is not found;
/// a pair that ran, was redefined or changed since is a conflict; maintenance removes plans past their grace.
/// </summary>
public sealed class PlanServiceTests : IAsyncLifetime, IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly string _root = Directory.CreateTempSubdirectory("syncfn-plan-").FullName;
    private readonly InMemoryLedger _ledger = new();
    private readonly InMemoryObjectStore _destination = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly OwnerIdentity _owner = new("plan-test", Environment.ProcessId, DateTimeOffset.UtcNow);
    private RunSteps? _steps;
    private DurableTaskTestHost? _host;
    private PairService? _pairs;
    private RunService? _runs;
    private PlanService? _plans;

    public async Task InitializeAsync()
    {
        for (var i = 0; i < 5; i++)
        {
            await File.WriteAllTextAsync(Path.Join(_root, $"f{i}.txt"), new string('p', 50 + i));
        }

        var env = new EngineEnvironment(TimeProvider.System, _owner, new UnknownLiveness(), Settings: new StepSettings { CoordinatorLease = TimeSpan.FromMinutes(10) });
        _steps = new RunSteps(_ledger, new LocalFolderStore(_root, TimeProvider.System), _destination, env, parallel: 2);
        var provider = new FixedStepsProvider(_steps, _owner);
        _host = await FixedStepsProvider.StartHostAsync(provider);
        _pairs = new PairService(_ledger, new VerbatimEndpoints(), _clock);
        _runs = new RunService(_ledger, _pairs, provider, _host.Client, TimeProvider.System) { Limits = new RunOrchestrationLimits(IdleWaitSeconds: 1) };
        _plans = new PlanService(_ledger, _pairs, provider, _runs, _clock);
        Assert.Equal(ServiceOutcome.Created, (await _pairs.AddAsync(new PairRequest("docs", "local:" + _root, "memory:" + _destination.StoreId), Ct)).Outcome);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    public void Dispose() => _steps?.Dispose();

    [Fact]
    public async Task Apply_PreviewedPlan_OrchestrationRunsItWithTheFingerprintAndCompletes()
    {
        var preview = (await _plans!.PreviewAsync("docs", Ct)).Value!;
        Assert.Equal(5, preview.Plan.Uploads);
        Assert.Empty(_destination.Snapshot());

        var applied = await _plans.ApplyAsync(preview.Id, Ct);

        Assert.Equal(ServiceOutcome.Accepted, applied.Outcome);
        var state = await WaitAsync(applied.Value!.Id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, state.RuntimeStatus);
        var run = (await _ledger.FindRunAsync(applied.Value.Id, Ct))!;
        Assert.Equal((RunStatus.Succeeded, "plan", 5L), (run.Status, run.Trigger, run.SucceededActions));
        Assert.Equal(preview.Plan.Fingerprint, StoredOptions.Restore(run.OptionsJson, new SyncOptions()).ExpectedPlan);
        Assert.Equal(5, _destination.Snapshot().Count);
        Assert.Equal(applied.Value.Id, (await _ledger.GetPlanAsync(preview.Id, Ct))!.AppliedRunId);
    }

    [Fact]
    public async Task Preview_SourceFolderGone_ConflictNamingTheSourceAndNothingRuns()
    {
        Directory.Delete(_root, recursive: true);

        var preview = await _plans!.PreviewAsync("docs", Ct);

        // The pair cannot be planned as it is: the caller must fix it (409), the service is not unavailable (503).
        Assert.Equal(ServiceOutcome.Conflict, preview.Outcome);
        Assert.Contains("does not exist", preview.Problem, StringComparison.Ordinal);
        Assert.Empty(await RunsAsync());
        Assert.Empty(_destination.Snapshot());
    }

    [Fact]
    public async Task Preview_MoreItemsThanListed_ListsTheFirstHundredAndCountsAll()
    {
        for (var i = 5; i < 130; i++)
        {
            await File.WriteAllTextAsync(Path.Join(_root, $"f{i:D3}.txt"), "x" + i);
        }

        var preview = (await _plans!.PreviewAsync("docs", Ct)).Value!;

        Assert.Equal(130, preview.Plan.Uploads);
        Assert.Equal(PlanService.MaxListedItems, preview.Plan.Items.Count);
        Assert.Equal(130, (await _ledger.GetPlanAsync(preview.Id, Ct))!.Actions);
    }

    [Fact]
    public async Task Apply_AfterItsValidity_NotFoundSayingItExpiredAndNothingRuns()
    {
        var preview = (await _plans!.PreviewAsync("docs", Ct)).Value!;
        _clock.Advance(_plans.Validity + TimeSpan.FromSeconds(1));

        var applied = await _plans.ApplyAsync(preview.Id, Ct);

        Assert.Equal(ServiceOutcome.NotFound, applied.Outcome);
        Assert.Contains("expired", applied.Problem, StringComparison.Ordinal);
        Assert.Empty(await RunsAsync());
    }

    [Fact]
    public async Task Apply_PairRanSinceThePreview_ConflictAndThePlanStaysUnapplied()
    {
        var preview = (await _plans!.PreviewAsync("docs", Ct)).Value!;
        var other = await _runs!.StartAsync("docs", "http", markDirtyWhenBusy: false, Ct);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await WaitAsync(other.Value!.Id)).RuntimeStatus);

        var applied = await _plans.ApplyAsync(preview.Id, Ct);

        Assert.Equal(ServiceOutcome.Conflict, applied.Outcome);
        Assert.Contains("ran or was marked", applied.Problem, StringComparison.Ordinal);
        Assert.Single(await RunsAsync());
        Assert.Null((await _ledger.GetPlanAsync(preview.Id, Ct))!.AppliedRunId);
    }

    [Fact]
    public async Task Apply_PairRemovedAndAddedAgain_ConflictNamingIt()
    {
        var preview = (await _plans!.PreviewAsync("docs", Ct)).Value!;
        Assert.Equal(ServiceOutcome.Ok, (await _pairs!.RemoveAsync("docs", Ct)).Outcome);
        Assert.Equal(ServiceOutcome.Created, (await _pairs.AddAsync(new PairRequest("docs", "local:" + _root, "memory:" + _destination.StoreId, Options: new PairOptions(Force: true)), Ct)).Outcome);

        var applied = await _plans.ApplyAsync(preview.Id, Ct);

        Assert.Equal(ServiceOutcome.Conflict, applied.Outcome);
        Assert.Contains("was changed since plan", applied.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_SourceChangedSinceThePreview_ConflictWithBothCountsAndNothingRuns()
    {
        var preview = (await _plans!.PreviewAsync("docs", Ct)).Value!;
        await File.WriteAllTextAsync(Path.Join(_root, "late.txt"), "late");

        var applied = await _plans.ApplyAsync(preview.Id, Ct);

        Assert.Equal(ServiceOutcome.Conflict, applied.Outcome);
        Assert.Contains("now holds 6 actions", applied.Problem, StringComparison.Ordinal);
        Assert.Contains("the preview held 5", applied.Problem, StringComparison.Ordinal);
        Assert.Empty(await RunsAsync());
        Assert.Empty(_destination.Snapshot());
    }

    [Fact]
    public async Task Maintenance_PlansPastTheirGrace_RemovedAndCounted()
    {
        var old = (await _plans!.PreviewAsync("docs", Ct)).Value!;
        _clock.Advance(_plans.Validity + TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        var fresh = (await _plans.PreviewAsync("docs", Ct)).Value!;
        var maintenance = new MaintenanceService(_ledger, _clock, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        var dry = await maintenance.RunAsync(new MaintenanceOptions { DryRun = true }, Ct);
        Assert.Equal(1, dry.Counts.ExpiredPlans);
        Assert.NotNull(await _ledger.GetPlanAsync(old.Id, Ct));

        var report = await maintenance.RunAsync(new MaintenanceOptions(), Ct);

        Assert.Equal(1, report.Counts.ExpiredPlans);
        Assert.Null(await _ledger.GetPlanAsync(old.Id, Ct));
        Assert.NotNull(await _ledger.GetPlanAsync(fresh.Id, Ct));
    }

    private async Task<OrchestrationMetadata> WaitAsync(string runId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await _host!.Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, timeout.Token);
    }

    private async Task<List<RunRecord>> RunsAsync()
    {
        var all = new List<RunRecord>();
        await foreach (var run in _ledger.ListRunsAsync(null, Ct))
        {
            all.Add(run);
        }

        return all;
    }
}
