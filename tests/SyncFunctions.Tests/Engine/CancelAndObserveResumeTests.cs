using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Engine;

public sealed class CancelAndObserveResumeTests
{
    [Fact]
    public async Task SyncAsync_CancelRequestedOnRunRow_EndsRunCancelledAndReleasesPair()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(5);
        var flagged = 0;
        h.Destination.BeforeOperation = async (op, _, ct) =>
        {
            if (op != InMemoryObjectStore.Ops.Write || Interlocked.Increment(ref flagged) != 1)
            {
                return;
            }

            var runId = (await h.Ledger.GetPairAsync(h.Pair.PairId, default))!.ActiveRunId!;
            var run = (await h.Ledger.GetRunAsync(h.Pair.PairId, runId, default))!;
            Assert.NotNull(await h.Ledger.TryUpdateRunAsync(run with { CancelRequested = true }, default));

            // Blocks until the engine notices the flag at its next heartbeat and cancels this transfer.
            await Task.Delay(Timeout.Infinite, ct);
        };

        var summary = await h.SyncAsync(h.Options with { Parallel = 1, HeartbeatInterval = TimeSpan.FromMilliseconds(20) });

        Assert.Equal(RunOutcome.Cancelled, summary.Outcome);
        var stored = await h.Ledger.GetRunAsync(h.Pair.PairId, summary.RunId!, default);
        Assert.Equal(RunStatus.Cancelled, stored!.Status);
        Assert.Null((await h.Ledger.GetPairAsync(h.Pair.PairId, default))!.ActiveRunId);
    }

    [Fact]
    public async Task SyncAsync_InterruptedDuringObservation_ResumesAfterLastWrittenItem()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(450);
        using var interrupt = new CancellationTokenSource();
        var items = 0;
        h.Ledger.BeforeOperation = (method, _) =>
        {
            if (method == nameof(InMemoryLedger.TryInsertWorkItemAsync) && Interlocked.Increment(ref items) == 3)
            {
                interrupt.Cancel();
                throw new OperationCanceledException(interrupt.Token);
            }

            return Task.CompletedTask;
        };
        h.Destination.BeforeOperation = (op, _, ct) => op == InMemoryObjectStore.Ops.Write ? Task.Delay(Timeout.Infinite, ct) : Task.CompletedTask;

        var first = await h.SyncAsync(h.Options with { Parallel = 2 }, cancellationToken: interrupt.Token);
        h.Ledger.BeforeOperation = null;
        h.Destination.BeforeOperation = null;
        var interrupted = (await h.Ledger.GetRunAsync(h.Pair.PairId, first.RunId!, default))!;

        var second = await h.SyncAsync();

        Assert.Equal(RunOutcome.Interrupted, first.Outcome);
        Assert.False(interrupted.ObserveDone);
        Assert.Equal(2, interrupted.WorkItemCount);
        Assert.Equal(RunOutcome.Succeeded, second.Outcome);
        Assert.Equal(first.RunId, second.RunId);
        Assert.Equal(450, second.Total);
        h.AssertMirrored();
        Assert.All(h.Source.Paths, p => Assert.Equal(1, h.Destination.WriteCount(p)));
    }

    [Fact]
    public async Task SyncAsync_InterruptedAfterWritesBeforeLedgerUpdate_ResumeAdoptsIdenticalObjects()
    {
        var h = new EngineHarness();
        for (var i = 0; i < 30; i++)
        {
            h.Source.Put($"n/{i:D2}", EngineHarness.Content(i, 64), sha256: null);
        }

        using var interrupt = new CancellationTokenSource();
        h.Ledger.BeforeOperation = (method, _) =>
        {
            if (method == nameof(InMemoryLedger.TryUpdateActionsAsync))
            {
                interrupt.Cancel();
                throw new OperationCanceledException(interrupt.Token);
            }

            return Task.CompletedTask;
        };

        var first = await h.SyncAsync(cancellationToken: interrupt.Token);
        h.Ledger.BeforeOperation = null;
        var second = await h.SyncAsync();

        Assert.Equal(RunOutcome.Interrupted, first.Outcome);
        Assert.Equal(RunOutcome.Succeeded, second.Outcome);
        Assert.Equal(30, second.Succeeded);
        Assert.All(h.Source.Paths, p => Assert.Equal(1, h.Destination.WriteCount(p)));
        Assert.All(h.Ledger.BaselineSnapshot(h.Pair.PairId), b => Assert.Equal(h.Destination.TryGetInfo(b.Path)!.Version, b.DestETag));
    }

    [Fact]
    public async Task SyncAsync_InterruptedBeforeLedgerUpdate_DestinationWithoutHashes_ResumeAdoptsByReadingThem()
    {
        var h = new EngineHarness(hashlessDestination: true);
        for (var i = 0; i < 30; i++)
        {
            h.Source.Put($"n/{i:D2}", EngineHarness.Content(i, 64), sha256: null);
        }

        using var interrupt = new CancellationTokenSource();
        h.Ledger.BeforeOperation = (method, _) =>
        {
            if (method == nameof(InMemoryLedger.TryUpdateActionsAsync))
            {
                interrupt.Cancel();
                throw new OperationCanceledException(interrupt.Token);
            }

            return Task.CompletedTask;
        };

        var first = await h.SyncAsync(cancellationToken: interrupt.Token);
        h.Ledger.BeforeOperation = null;
        Assert.Null(h.Destination.TryGetInfo("n/00")!.Sha256);
        h.Destination.Put("n/29", EngineHarness.Content(999, 64), sha256: null); // someone else's write since: a real conflict
        var second = await h.SyncAsync();

        // The retry finds its own writes (same bytes, read back and hashed) and adopts them; the other file stays a conflict.
        Assert.Equal(RunOutcome.Interrupted, first.Outcome);
        Assert.Equal((29L, 1L), (second.Succeeded, second.Failed));
        Assert.All(Enumerable.Range(0, 29), i => Assert.Equal(1, h.Destination.WriteCount($"n/{i:D2}")));
        Assert.Equal(EngineHarness.Content(999, 64), h.Destination.TryGet("n/29"));
    }
}
