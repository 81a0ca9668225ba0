using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Transfer;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Engine;

public sealed class SyncEngineTests
{
    [Fact]
    public async Task SyncAsync_NewFiles_MirrorsSourceAndRecordsBaseline()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(250);
        h.Source.Put("big/large.bin", EngineHarness.Content(7, 300_000));

        var summary = await h.SyncAsync();

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(251, summary.Total);
        Assert.Equal(251, summary.Succeeded);
        Assert.Equal(251, summary.TransferredByThisProcess);
        h.AssertMirrored();
        var baseline = h.Ledger.BaselineSnapshot(h.Pair.PairId);
        Assert.Equal(251, baseline.Count);
        Assert.All(baseline, b => Assert.Equal(h.Destination.TryGetInfo(b.Path)!.Version, b.DestETag));
        Assert.All(baseline, b => Assert.Equal(h.Source.TryGetInfo(b.Path)!.Sha256, b.Sha256));
        var pair = await h.Ledger.GetPairAsync(h.Pair.PairId, default);
        Assert.Null(pair!.ActiveRunId);
    }

    [Fact]
    public async Task SyncAsync_SecondRunWithoutChanges_TransfersNothing()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(120);
        await h.SyncAsync();
        h.Destination.ResetCounters();

        var summary = await h.SyncAsync();

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(0, summary.Total);
        Assert.Equal(0, summary.BytesTransferred);
        Assert.Equal(0, h.Destination.BodyBytesWritten);
        Assert.Equal(0, h.Destination.RequestCount(InMemoryObjectStore.Ops.Write));
    }

    [Fact]
    public async Task SyncAsync_ModifyDeleteRename_Propagate()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(10);
        await h.SyncAsync();

        h.Source.Put("f/00001.txt", EngineHarness.Content(99, 333));
        h.Source.Remove("f/00002.txt");
        var moved = h.Source.TryGet("f/00003.txt")!;
        h.Source.Remove("f/00003.txt");
        h.Source.Put("g/renamed.txt", moved);
        var summary = await h.SyncAsync();

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(4, summary.Total);
        h.AssertMirrored();
        Assert.DoesNotContain(h.Ledger.BaselineSnapshot(h.Pair.PairId), b => b.Path is "f/00002.txt" or "f/00003.txt");
    }

    [Fact]
    public async Task SyncAsync_ManyItems_NeverRunMoreTransfersThanParallel()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(600);
        var inFlight = 0;
        var peak = 0;
        h.Destination.BeforeOperation = async (op, _, _) =>
        {
            if (op != InMemoryObjectStore.Ops.Write)
            {
                return;
            }

            var now = Interlocked.Increment(ref inFlight);
            int seen;
            while (now > (seen = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen)
            {
            }

            await Task.Yield();
            Interlocked.Decrement(ref inFlight);
        };

        var summary = await h.SyncAsync(h.Options with { Parallel = 3 });

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.InRange(peak, 1, 3);
    }

    [Fact]
    public async Task SyncAsync_SmallFiles_UseFarFewerLedgerRequestsThanFiles()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(1000);
        h.Ledger.ResetCounters();

        await h.SyncAsync();

        // Per 100 files: one item write of actions, claim, read, complete actions, baseline, item done.
        Assert.True(h.Ledger.TableRequests < 1000 / 5, $"{h.Ledger.TableRequests} ledger requests for 1000 files");
    }

    [Fact]
    public async Task SyncAsync_MoreDeletesThanMaxDelete_HoldsThemBackUntilAllowed()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(10);
        await h.SyncAsync();
        foreach (var i in new[] { 1, 2, 3 })
        {
            h.Source.Remove($"f/{i:D5}.txt");
        }

        var held = await h.SyncAsync(h.Options with { MaxDelete = new MaxDeleteLimit(1, null) });

        Assert.Equal(RunOutcome.DeletesHeldBack, held.Outcome);
        Assert.Equal(3, held.HeldBackDeletes);
        Assert.Equal(10, h.Destination.Paths.Count);
        Assert.Equal(3, h.Ledger.CarryOverSnapshot(h.Pair.PairId).Count(c => c.Reason == CarryOverReason.HeldBackDelete));

        var allowed = await h.SyncAsync(h.Options with { MaxDelete = new MaxDeleteLimit(null, 50) });

        Assert.Equal(RunOutcome.Succeeded, allowed.Outcome);
        h.AssertMirrored();
        Assert.Empty(h.Ledger.CarryOverSnapshot(h.Pair.PairId));
    }

    [Fact]
    public async Task SyncAsync_DestinationChangedBySomeoneElse_FailsItemUnlessForced()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(3);
        await h.SyncAsync();
        h.Destination.Put("f/00001.txt", [1, 2, 3]);
        h.Source.Put("f/00001.txt", EngineHarness.Content(5, 200));

        var failed = await h.SyncAsync();

        Assert.Equal(RunOutcome.CompletedWithFailures, failed.Outcome);
        var problem = Assert.Single(failed.Failures);
        Assert.Equal("f/00001.txt", problem.Path);
        Assert.Contains("destination changed", problem.Reason, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3], h.Destination.TryGet("f/00001.txt"));
        Assert.Single(h.Ledger.CarryOverSnapshot(h.Pair.PairId), c => c.Reason == CarryOverReason.Failed);

        var forced = await h.SyncAsync(h.Options with { Force = true });

        Assert.Equal(RunOutcome.Succeeded, forced.Outcome);
        h.AssertMirrored();
        Assert.Empty(h.Ledger.CarryOverSnapshot(h.Pair.PairId));
    }

    [Fact]
    public async Task SyncAsync_SameSizeNewTimeSameBytes_UpdatesBaselineWithoutTransfer()
    {
        var h = new EngineHarness();
        var bytes = EngineHarness.Content(1, 500);
        h.Source.Put("a.txt", bytes, DateTimeOffset.UnixEpoch.AddDays(1), sha256: null);
        await h.SyncAsync();
        h.Source.Put("a.txt", bytes, DateTimeOffset.UnixEpoch.AddDays(2), sha256: null);
        h.Destination.ResetCounters();

        var summary = await h.SyncAsync();

        Assert.Equal(1, summary.Succeeded);
        Assert.Equal(0, h.Destination.BodyBytesWritten);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddDays(2), Assert.Single(h.Ledger.BaselineSnapshot(h.Pair.PairId)).LastModified);
    }

    [Fact]
    public async Task SyncAsync_DryRun_ChangesNothing()
    {
        var h = new EngineHarness();
        h.SeedSmallFiles(5);

        var summary = await h.SyncAsync(h.Options with { DryRun = true });

        Assert.True(summary.DryRun);
        Assert.Equal(5, summary.Total);
        Assert.Equal(5, summary.Planned.Count);
        Assert.Empty(h.Destination.Paths);
        Assert.Null(await h.Ledger.GetPairAsync(h.Pair.PairId, default));
    }

    [Fact]
    public async Task SyncAsync_BlobToBlobWithReadUrls_CopiesServerSideWithoutBodyBytes()
    {
        var h = new EngineHarness(sourceHasReadUrls: true);
        h.SeedSmallFiles(20);
        h.Source.Put("large.bin", EngineHarness.Content(3, 500_000));

        var summary = await h.SyncAsync();

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(0, summary.BytesTransferred);
        Assert.Equal(0, h.Destination.BodyBytesWritten);
        Assert.Equal(0, h.Source.BodyBytesRead);
        h.AssertMirrored();
    }
}

public sealed class ChunkLayoutTests
{
    [Theory]
    [InlineData(10L * 1024 * 1024, 4L * 1024 * 1024, 50_000, 4L * 1024 * 1024)]
    [InlineData(1L << 40, 4L * 1024 * 1024, 50_000, 21L * 1024 * 1024)]
    [InlineData(64 * 1024 * 21, 64 * 1024, 50_000, 64 * 1024)]
    public void EffectiveChunkSize_GrowsOnlyWhenTooManyChunks(long size, long chunk, int maxChunks, long expected) =>
        Assert.Equal(expected, SyncFunctions.Core.Transfer.ChunkLayout.EffectiveChunkSize(size, chunk, maxChunks));

    [Fact]
    public void ChunkIds_DependOnVersionAndLayout_AndHaveEqualLength()
    {
        var a = SyncFunctions.Core.Transfer.ChunkLayout.ChunkIds("v1", 100, 10, 10);
        var b = SyncFunctions.Core.Transfer.ChunkLayout.ChunkIds("v2", 100, 10, 10);

        Assert.Equal(10, a.Distinct().Count());
        Assert.Single(a.Select(id => id.Length).Distinct());
        Assert.Empty(a.Intersect(b));
        Assert.Equal(a, SyncFunctions.Core.Transfer.ChunkLayout.ChunkIds("v1", 100, 10, 10));
    }
}

public sealed class InvalidNameTests
{
    [Fact]
    public async Task SyncAsync_NameTheDestinationCannotHold_IsSkippedWithReasonNotFailed()
    {
        var h = new EngineHarness();
        h.Source.Put("ok.txt", [1]);
        h.Source.Put("bad.", [2]);
        h.Destination.FaultInjector = (op, path) =>
            op == InMemoryObjectStore.Ops.Write && path == "bad." ? new StorageException(StorageErrorKind.InvalidName, "blob names cannot end with '.'") : null;

        var summary = await h.SyncAsync();

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        var skipped = Assert.Single(summary.SkippedItems);
        Assert.Equal("bad.", skipped.Path);
        Assert.Contains("cannot end with", skipped.Reason, StringComparison.Ordinal);
        Assert.Empty(h.Ledger.CarryOverSnapshot(h.Pair.PairId));
    }
}
