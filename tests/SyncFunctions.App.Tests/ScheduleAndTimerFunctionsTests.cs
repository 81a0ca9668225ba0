using Microsoft.DurableTask.Client;
using SyncFunctions.Abstractions;
using SyncFunctions.App.Functions;
using SyncFunctions.App.Tests.Infrastructure;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Orchestration;
using SyncFunctions.Orchestration.Schedules;
using SyncFunctions.Orchestration.Service;
using static SyncFunctions.App.Tests.Infrastructure.AppFixture;

namespace SyncFunctions.App.Tests;

/// <summary>
/// The schedule, follow-up and timer functions called directly over a recording Durable client: a schedule's
/// occurrence starts its pair (or marks a busy pair dirty), the run of a dirty pair is followed by one more, the
/// reconcile timer brings the schedule instances in line with the pairs, the maintenance timer runs its pass.
/// </summary>
public sealed class ScheduleAndTimerFunctionsTests : IDisposable
{
    private const string Cron = "0 0 * * * *";
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly AppFixture _fixture = new();
    private readonly RecordingDurableClient _client = new();
    private readonly ScheduleFunctions _schedules;
    private readonly RunFunctions _durable;

    public ScheduleAndTimerFunctionsTests()
    {
        _schedules = new ScheduleFunctions(_fixture.App);
        _durable = new RunFunctions(_fixture.App.Steps);
    }

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task ScheduleFire_ScheduledPair_StartsARunWithTheScheduleTrigger()
    {
        await AddPairAsync("hourly", Cron);

        var fired = await _schedules.FireAsync(new ScheduleFire("hourly", Cron, new DateTime(2026, 12, 3, 10, 0, 0, DateTimeKind.Utc)), "schedule-hourly", _client);

        Assert.True(fired.Active);
        Assert.Equal("started", fired.Kind);
        Assert.Equal(RunActivityNames.Orchestrator, _client.Instances[fired.RunId!].Name);
        Assert.Equal(ScheduleTrigger.Trigger, (await _fixture.Ledger.FindRunAsync(fired.RunId!, Ct))!.Trigger);
    }

    [Fact]
    public async Task ScheduleFire_ScheduleChangedSince_InactiveAndNothingStarted()
    {
        await AddPairAsync("hourly", Cron);

        var fired = await _schedules.FireAsync(new ScheduleFire("hourly", "0 */5 * * * *", DateTime.UtcNow), "schedule-hourly", _client);

        Assert.False(fired.Active);
        Assert.Empty(_client.Instances);
    }

    [Fact]
    public async Task FollowUp_PairMarkedDirtyDuringARun_TheNextRunStartsAndIsLaunched()
    {
        await AddPairAsync("busy", Cron);
        var first = await _fixture.Services.Runs(_client).StartAsync("busy", "http", markDirtyWhenBusy: false, Ct);
        var dirty = await _schedules.FireAsync(new ScheduleFire("busy", Cron, DateTime.UtcNow), "schedule-busy", _client);
        Assert.Equal("marked-dirty", dirty.Kind);
        var input = _client.Instances[first.Value!.Id].ReadInputAs<RunOrchestrationInput>()!;
        var finalized = await RunDriver.DriveAsync(_durable, input);
        Assert.True(finalized.RunAgain);

        var next = await _durable.FollowUpAsync(new FollowUpOrder(input.PairId, input.RunId, "orch:follow-up"), input.RunId, _client);

        Assert.Equal("started", next.Kind);
        Assert.NotEqual(input.RunId, next.RunId);
        Assert.Equal(OrchestrationRuntimeStatus.Pending, _client.Instances[next.RunId!].RuntimeStatus);
        Assert.Equal(RunStatus.Running, (await _fixture.Ledger.FindRunAsync(next.RunId!, Ct))!.Status);
    }

    [Fact]
    public async Task SchedulesReconcileTimer_PairsAddedWithoutAClient_SchedulesStartedForScheduledOnesOnly()
    {
        await AddPairAsync("hourly", Cron);
        await AddPairAsync("manual", null);
        var timers = new TimerFunctions(_fixture.App, new Microsoft.Extensions.Logging.Abstractions.NullLogger<TimerFunctions>());

        await timers.SchedulesReconcileAsync(new Microsoft.Azure.Functions.Worker.TimerInfo(), _client, Ct);

        Assert.Equal(["schedule-hourly"], _client.Instances.Keys);
        Assert.Equal(new ScheduleInput("hourly", Cron), _client.Instances["schedule-hourly"].ReadInputAs<ScheduleInput>());
    }

    [Fact]
    public async Task MaintenanceTimer_RecentEndedRun_KeptWithItsInstanceAndOlderInstancesPurged()
    {
        await AddPairAsync("docs", null);
        var started = await _fixture.Services.Runs(_client).StartAsync("docs", "http", markDirtyWhenBusy: false, Ct);
        await RunDriver.DriveAsync(_durable, _client.Instances[started.Value!.Id].ReadInputAs<RunOrchestrationInput>()!);
        var timers = new TimerFunctions(_fixture.App, new Microsoft.Extensions.Logging.Abstractions.NullLogger<TimerFunctions>());

        _client.Complete(started.Value.Id, "done");

        await timers.MaintenanceAsync(new Microsoft.Azure.Functions.Worker.TimerInfo(), _client, Ct);

        Assert.Equal(RunStatus.Succeeded, (await _fixture.Ledger.FindRunAsync(started.Value.Id, Ct))!.Status);
        Assert.True(_client.Instances.ContainsKey(started.Value.Id));
        var purge = Assert.Single(_client.Purges);
        Assert.InRange(purge.CreatedTo!.Value, DateTimeOffset.UtcNow.AddDays(-30).AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(-30).AddMinutes(5));
    }

    private async Task AddPairAsync(string name, string? schedule)
    {
        var source = _fixture.Folder(name + "-src", ("a.txt", "alpha"), ("d/b.txt", "bravo"));
        var added = await _fixture.Services.Pairs().AddAsync(new PairRequest(name, source, _fixture.Folder(name + "-dst"), schedule), Ct);
        Assert.Equal(ServiceOutcome.Created, added.Outcome);
    }
}
