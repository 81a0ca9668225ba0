using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Cli;

/// <summary>Run administration (list, show, cancel) on the in-memory ledger.</summary>
public sealed class RunAdminTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(30);
    private readonly InMemoryLedger _ledger = new();
    private readonly FakeTimeProvider _time = new(Now);

    private sealed class FixedLiveness(bool? answer) : IOwnerLiveness
    {
        public bool? IsAlive(string host, int pid, DateTimeOffset started) => answer;
    }

    private async Task<RunRecord> StartRunAsync(string runId, string pairId = "pair-1", DateTimeOffset? heartbeat = null, DateTimeOffset? created = null)
    {
        var pair = await _ledger.GetOrCreatePairAsync(new PairRecord(pairId, "local:/src", "blob:http://x/acct/c"), default);
        await _ledger.TryUpdatePairAsync(pair with { ActiveRunId = runId }, default);
        return await _ledger.CreateRunAsync(
            new RunRecord
            {
                PairId = pairId,
                RunId = runId,
                OwnerHost = "host-a",
                OwnerPid = 4242,
                OwnerStarted = Now.AddHours(-1),
                Heartbeat = heartbeat ?? Now,
                CreatedAt = created ?? Now,
            },
            default);
    }

    [Fact]
    public async Task CancelAsync_LiveOwner_RequestsCancelAndKeepsRunRunning()
    {
        await StartRunAsync("run-1");
        var admin = new RunAdmin(_ledger, _time);

        var result = await admin.CancelAsync("run-1", new FixedLiveness(true), HeartbeatTimeout, default);

        var stored = await _ledger.FindRunAsync("run-1", default);
        Assert.Equal(CancelResultKind.Requested, result.Kind);
        Assert.True(stored!.CancelRequested);
        Assert.Equal(RunStatus.Running, stored.Status);
        Assert.Equal("run-1", (await _ledger.GetPairAsync("pair-1", default))!.ActiveRunId);
    }

    [Fact]
    public async Task CancelAsync_DeadOwner_EndsRunCancelledAndClearsActiveRun()
    {
        await StartRunAsync("run-1");
        var admin = new RunAdmin(_ledger, _time);

        var result = await admin.CancelAsync("run-1", new FixedLiveness(false), HeartbeatTimeout, default);

        var stored = await _ledger.FindRunAsync("run-1", default);
        Assert.Equal(CancelResultKind.Cancelled, result.Kind);
        Assert.Equal(RunStatus.Cancelled, stored!.Status);
        Assert.Equal(Now, stored.EndedAt);
        Assert.Null((await _ledger.GetPairAsync("pair-1", default))!.ActiveRunId);
    }

    [Theory]
    [InlineData(10, CancelResultKind.Requested)]
    [InlineData(31, CancelResultKind.Cancelled)]
    public async Task CancelAsync_OwnerOnOtherHost_DecidesByHeartbeatAge(int heartbeatAgeSeconds, CancelResultKind expected)
    {
        await StartRunAsync("run-1", heartbeat: Now.AddSeconds(-heartbeatAgeSeconds));
        var admin = new RunAdmin(_ledger, _time);

        var result = await admin.CancelAsync("run-1", new FixedLiveness(null), HeartbeatTimeout, default);

        Assert.Equal(expected, result.Kind);
    }

    [Fact]
    public async Task CancelAsync_EndedOrUnknownRun_ChangesNothing()
    {
        var run = await StartRunAsync("run-1");
        await _ledger.TryUpdateRunAsync(run with { Status = RunStatus.Succeeded, EndedAt = Now }, default);
        var admin = new RunAdmin(_ledger, _time);

        var ended = await admin.CancelAsync("run-1", new FixedLiveness(false), HeartbeatTimeout, default);
        var unknown = await admin.CancelAsync("nope", new FixedLiveness(false), HeartbeatTimeout, default);

        Assert.Equal(CancelResultKind.AlreadyEnded, ended.Kind);
        Assert.Equal(RunStatus.Succeeded, (await _ledger.FindRunAsync("run-1", default))!.Status);
        Assert.Equal(CancelResultKind.NotFound, unknown.Kind);
    }

    [Fact]
    public async Task ListAsync_SeveralPairs_NewestFirstFilteredAndLimited()
    {
        await StartRunAsync("old", "pair-1", created: Now.AddHours(-2));
        await StartRunAsync("new", "pair-1", created: Now);
        await StartRunAsync("other", "pair-2", created: Now.AddHours(-1));
        var admin = new RunAdmin(_ledger, _time);

        var all = await admin.ListAsync(null, 10, default);
        var onePair = await admin.ListAsync("pair-1", 10, default);
        var limited = await admin.ListAsync(null, 1, default);

        Assert.Equal(["new", "other", "old"], all.Select(r => r.RunId));
        Assert.Equal(["new", "old"], onePair.Select(r => r.RunId));
        Assert.Equal(["new"], limited.Select(r => r.RunId));
    }

    [Fact]
    public async Task ShowAsync_RunWithActions_TalliesStatusesAndListsProblems()
    {
        await StartRunAsync("run-1");
        ActionRecord Action(string id, string path, ActionStatus status, string? error = null) => new()
        {
            RunId = "run-1", ItemId = "0001", ActionId = id, Path = path, Status = status, LastError = error, BytesDone = 10,
        };
        await _ledger.AddWorkItemAsync(
            new WorkItemRecord { RunId = "run-1", ItemId = "0001", ActionCount = 4 },
            [
                Action("0", "a.txt", ActionStatus.Done),
                Action("1", "b.txt", ActionStatus.Failed, "destination changed"),
                Action("2", "c.txt", ActionStatus.Skipped, "backslash in name"),
                Action("3", "d.txt", ActionStatus.Pending),
            ],
            default);
        await _ledger.ApplyCarryOverAsync(
            "pair-1", [new CarryOverEntry { PairId = "pair-1", Path = "b.txt", Reason = CarryOverReason.Failed, Message = "destination changed" }], [], default);
        var admin = new RunAdmin(_ledger, _time);

        var details = await admin.ShowAsync("run-1", maxProblems: 1, default);

        Assert.NotNull(details);
        Assert.Equal(new RunTally(Pending: 1, Claimed: 0, Done: 1, Failed: 1, Skipped: 1, BytesDone: 40), details.Tally);
        Assert.Equal(["b.txt"], details.Problems.Select(p => p.Path));
        Assert.Equal(1, details.ProblemsOmitted);
        Assert.Equal(["b.txt"], details.CarryOver.Select(c => c.Path));
        Assert.Equal("run-1", details.Pair!.ActiveRunId);
        Assert.Null(await admin.ShowAsync("nope", 10, default));
    }
}
