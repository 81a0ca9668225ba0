using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Engine;

public sealed class ResumeAndConcurrencyTests
{
    private static readonly AsyncLocal<string?> EngineName = new();

    [Fact]
    public async Task SyncAsync_InterruptedDuringLargeFile_ResumeReusesStagedChunks()
    {
        var h = new EngineHarness();
        var content = EngineHarness.Content(11, (64 * 1024 * 20) + 123);
        h.Source.Put("big.bin", content);
        using var interrupt = new CancellationTokenSource();
        var staged = 0;
        h.Destination.BeforeOperation = (op, _, _) =>
        {
            if (op == InMemoryObjectStore.Ops.StageChunk && Interlocked.Increment(ref staged) == 6)
            {
                interrupt.Cancel();
                throw new OperationCanceledException(interrupt.Token);
            }

            return Task.CompletedTask;
        };

        var first = await h.SyncAsync(h.Options with { Parallel = 1 }, cancellationToken: interrupt.Token);
        h.Destination.BeforeOperation = null;
        var stagedAfterCrash = await h.Destination.GetStagedChunksAsync("big.bin", default);
        h.Destination.ResetCounters();

        var second = await h.SyncAsync();

        Assert.Equal(RunOutcome.Interrupted, first.Outcome);
        Assert.NotEmpty(stagedAfterCrash);
        Assert.Equal(RunOutcome.Succeeded, second.Outcome);
        Assert.True(second.Resumed);
        Assert.Equal(first.RunId, second.RunId);
        // The file fans out in chunk ranges: a range that ended before the crash is not run again, so only the chunks
        // of the interrupted range count as reused; none of the staged chunks is sent again (the request count).
        Assert.InRange(second.ReusedChunks, 1, stagedAfterCrash.Count);
        Assert.Equal(21 - stagedAfterCrash.Count, h.Destination.RequestCount(InMemoryObjectStore.Ops.StageChunk));
        Assert.Equal(content, h.Destination.TryGet("big.bin"));
    }

    [Fact]
    public async Task SyncAsync_ThrottledThenOk_RetriesWithBackoffAndSucceeds()
    {
        var h = new EngineHarness();
        h.Source.Put("a.txt", [1, 2, 3]);
        var failures = 0;
        h.Destination.FaultInjector = (op, path) =>
            op == InMemoryObjectStore.Ops.Write && Interlocked.Increment(ref failures) <= 2
                ? new StorageException(StorageErrorKind.Throttled, "slow down", retryAfter: TimeSpan.FromMilliseconds(10), status: 429)
                : null;

        var summary = await h.SyncAsync();

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(3, h.Destination.RequestCount(InMemoryObjectStore.Ops.Write));
        Assert.Equal([1, 2, 3], h.Destination.TryGet("a.txt"));
    }

    [Fact]
    public async Task SyncAsync_PermanentError_FailsItemWithoutRetryAndRunContinues()
    {
        var h = new EngineHarness();
        h.Source.Put("bad.txt", [1]);
        h.Source.Put("good.txt", [2]);
        h.Destination.FaultInjector = (op, path) =>
            op == InMemoryObjectStore.Ops.Write && path == "bad.txt" ? new StorageException(StorageErrorKind.Permanent, "forbidden name", status: 400) : null;

        var summary = await h.SyncAsync();

        Assert.Equal(RunOutcome.CompletedWithFailures, summary.Outcome);
        Assert.Equal("bad.txt", Assert.Single(summary.Failures).Path);
        Assert.Equal(1, h.Destination.WriteCount("good.txt"));
        Assert.Equal(2, h.Destination.RequestCount(InMemoryObjectStore.Ops.Write));
        Assert.Contains(h.Ledger.CarryOverSnapshot(h.Pair.PairId), c => c.Path == "bad.txt");

        h.Destination.FaultInjector = null;
        var retried = await h.SyncAsync();

        Assert.Equal(RunOutcome.Succeeded, retried.Outcome);
        Assert.Empty(h.Ledger.CarryOverSnapshot(h.Pair.PairId));
    }

    [Fact]
    public async Task JoinAsync_TwoEnginesShareOneRun_EveryFileWrittenExactlyOnce()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(1500);
        var aBlocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bWrites = 0;
        h.Destination.BeforeOperation = async (op, _, _) =>
        {
            if (op != InMemoryObjectStore.Ops.Write)
            {
                return;
            }

            if (EngineName.Value == "A")
            {
                aBlocked.TrySetResult();
                await releaseA.Task;
            }
            else if (Interlocked.Increment(ref bWrites) == 200)
            {
                releaseA.TrySetResult();
            }
        };

        var a = Task.Run(async () =>
        {
            EngineName.Value = "A";
            return await h.SyncAsync(h.Options with { Parallel = 1 });
        });
        await aBlocked.Task;
        var runId = (await h.Ledger.GetPairAsync(h.Pair.PairId, default))!.ActiveRunId!;
        var b = Task.Run(async () =>
        {
            EngineName.Value = "B";
            return await h.Engine().JoinAsync(runId, h.Options, default);
        });
        var results = await Task.WhenAll(a, b);

        Assert.Equal(RunOutcome.Succeeded, results[0].Outcome);
        Assert.True(results[1].TransferredByThisProcess >= 200);
        Assert.True(results[0].TransferredByThisProcess >= 1);
        Assert.Equal(1500, results[0].TransferredByThisProcess + results[1].TransferredByThisProcess);
        Assert.All(h.Source.Paths, p => Assert.Equal(1, h.Destination.WriteCount(p)));
        h.AssertMirrored();
    }

    [Fact]
    public async Task SyncAsync_RunOfLiveOwner_IsPairBusy_DeadOwner_IsTakenOverWithItsClaims()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var h = new EngineHarness(time);
        h.SeedSmallFiles(150);
        var (runId, deadOwner) = await PlantUnfinishedRunAsync(h);

        var busy = await h.SyncAsync();
        Assert.Equal(RunOutcome.PairBusy, busy.Outcome);
        Assert.Equal(runId, busy.RunId);

        h.Liveness.Dead.Add(deadOwner.Pid);
        var resumed = await h.SyncAsync();

        Assert.Equal(RunOutcome.Succeeded, resumed.Outcome);
        Assert.True(resumed.Resumed);
        Assert.Equal(runId, resumed.RunId);
        h.AssertMirrored();
        Assert.All(h.Source.Paths, p => Assert.Equal(1, h.Destination.WriteCount(p)));
    }

    [Fact]
    public async Task SyncAsync_OwnerAliveButSilentPastTimeout_IsTakenOver()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var h = new EngineHarness(time);
        h.SeedSmallFiles(20);
        var (runId, _) = await PlantUnfinishedRunAsync(h);

        // Silent past its coordinator lease (30 s) and its workers' item leases (60 s): correctness rests on the
        // leases, so a live but silent owner's claims are taken over once they ran out.
        time.Advance(TimeSpan.FromSeconds(61));
        var resumed = await h.SyncAsync();

        Assert.Equal(RunOutcome.Succeeded, resumed.Outcome);
        Assert.Equal(runId, resumed.RunId);
        h.AssertMirrored();
    }

    /// <summary>
    /// Interrupts a run after its plan is written, then makes it look owned by a live process holding a claim
    /// with a long lease (as if that process had crashed mid-item).
    /// </summary>
    private static async Task<(string RunId, OwnerIdentity Owner)> PlantUnfinishedRunAsync(EngineHarness h)
    {
        using var interrupt = new CancellationTokenSource();
        h.Destination.BeforeOperation = (op, _, _) =>
        {
            if (op == InMemoryObjectStore.Ops.Write)
            {
                interrupt.Cancel();
                throw new OperationCanceledException(interrupt.Token);
            }

            return Task.CompletedTask;
        };
        var first = await h.SyncAsync(h.Options with { Parallel = 1 }, cancellationToken: interrupt.Token);
        h.Destination.BeforeOperation = null;
        Assert.Equal(RunOutcome.Interrupted, first.Outcome);

        var owner = new OwnerIdentity("testhost", 4242, h.Time.GetUtcNow());
        var run = (await h.Ledger.GetRunAsync(h.Pair.PairId, first.RunId!, default))!;
        var now = h.Time.GetUtcNow();
        Assert.NotNull(await h.Ledger.TryUpdateRunAsync(
            run with
            {
                OwnerHost = owner.Host,
                OwnerPid = owner.Pid,
                OwnerStarted = owner.Started,
                Heartbeat = now,
                CoordinatorId = "testhost:4242:1:coordinator",
                CoordinatorLeaseExpires = now + StepSettings.Default.CoordinatorLease,
            },
            default));
        var item = (await h.Ledger.GetWorkItemAsync(first.RunId!, "00000000", default))!;
        Assert.NotNull(await h.Ledger.TryUpdateWorkItemAsync(item with { Status = WorkStatus.Claimed, LeaseOwner = "testhost:4242:1:abc", LeaseExpires = now + StepSettings.Default.ItemLease }, default));
        return (first.RunId!, owner);
    }
}
