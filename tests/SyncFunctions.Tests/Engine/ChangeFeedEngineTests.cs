using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.InProcess;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Stores;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Engine;

public sealed class ChangeFeedEngineTests
{
    private sealed class Rig
    {
        public FakeDrive Drive { get; } = new(pageSize: 3);
        public InMemoryObjectStore Destination { get; } = new();
        public InMemoryLedger Ledger { get; } = new();
        public PairRecord Pair { get; } = new("drivepair", "graph:fake", "memory:dst");
        public SyncOptions Options { get; set; } = new() { Parallel = 4, ChunkSize = 64 * 1024 };

        public Task<RunSummary> SyncAsync(IObjectStore? destination = null, CancellationToken cancellationToken = default) =>
            InProcessDriver.WithRetries(Ledger, Drive, destination ?? Destination, new EngineEnvironment(TimeProvider.System, new OwnerIdentity("h", 7, DateTimeOffset.UnixEpoch), new FakeLiveness()))
                .SyncAsync(Pair, Options, cancellationToken);

        public void AssertMirrored()
        {
            var files = Drive.ListAsync(default).ToBlockingEnumerable().Select(e => e.Object!).ToList();
            Assert.Equal(files.Select(f => f.Path), Destination.Paths);
            foreach (var f in files)
            {
                using var s = Drive.OpenReadAsync(f.Path, 0, null, default).Result;
                using var ms = new MemoryStream();
                s.CopyTo(ms);
                Assert.Equal(ms.ToArray(), Destination.TryGet(f.Path));
            }
        }
    }

    private static byte[] Bytes(int seed, int size = 300) => EngineHarness.Content(seed, size);

    [Fact]
    public async Task SyncAsync_FirstRun_EnumeratesAllPagesAndCommitsDeltaLink()
    {
        var rig = new Rig();
        for (var i = 0; i < 10; i++)
        {
            rig.Drive.PutFile($"docs/sub{i % 3}/f{i}.txt", Bytes(i));
        }

        var summary = await rig.SyncAsync();

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(10, summary.TransferredByThisProcess);
        rig.AssertMirrored();
        var pair = await rig.Ledger.GetPairAsync(rig.Pair.PairId, default);
        Assert.NotNull(pair!.Cursor);
        Assert.Equal(14, rig.Ledger.TreeSnapshot(rig.Pair.PairId).Count(t => t.ItemId != FakeDrive.RootId));

        // The staged items are read once: the folders were kept while staging, the tree written while planning.
        Assert.Equal(1, rig.Ledger.CallCount(nameof(InMemoryLedger.ListStagedChangesAsync)));
        Assert.Equal(1, rig.Ledger.CallCount(nameof(InMemoryLedger.DeleteStagedChangesAsync)));
    }

    [Fact]
    public async Task SyncAsync_FinalizingTakesLongerThanTheInterruptGrace_StillSucceeds()
    {
        var rig = new Rig();
        rig.Drive.PutFile("a/b.txt", Bytes(1));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);

        // Deleting a 100,000-item run's staged items can take minutes: the run must not be cut off by the grace
        // period meant for saving state after an interrupt.
        rig.Ledger.BeforeOperation = (op, _) =>
        {
            if (op == nameof(InMemoryLedger.DeleteStagedChangesAsync))
            {
                time.Advance(TimeSpan.FromMinutes(3));
            }

            return Task.CompletedTask;
        };
        var engine = InProcessDriver.WithRetries(rig.Ledger, rig.Drive, rig.Destination, new EngineEnvironment(time, new OwnerIdentity("h", 7, DateTimeOffset.UnixEpoch), new FakeLiveness()));

        var summary = await engine.SyncAsync(rig.Pair, rig.Options, default);

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.NotNull((await rig.Ledger.GetPairAsync(rig.Pair.PairId, default))!.Cursor);
    }

    [Fact]
    public async Task SyncAsync_RunCancelled_DropsItsStagedChangesAndKeepsTheCursor()
    {
        var rig = new Rig();
        for (var i = 0; i < 4; i++)
        {
            rig.Drive.PutFile($"d/f{i}.txt", Bytes(i));
        }

        var flagged = 0;
        rig.Destination.BeforeOperation = async (op, _, ct) =>
        {
            if (op != InMemoryObjectStore.Ops.Write || Interlocked.Increment(ref flagged) != 1)
            {
                return;
            }

            var runId = (await rig.Ledger.GetPairAsync(rig.Pair.PairId, default))!.ActiveRunId!;
            var run = (await rig.Ledger.GetRunAsync(rig.Pair.PairId, runId, default))!;
            Assert.NotNull(await rig.Ledger.TryUpdateRunAsync(run with { CancelRequested = true }, default));
            await Task.Delay(Timeout.Infinite, ct); // until the heartbeat sees the flag
        };
        rig.Options = rig.Options with { Parallel = 1, HeartbeatInterval = TimeSpan.FromMilliseconds(20) };

        var summary = await rig.SyncAsync();

        Assert.Equal(RunOutcome.Cancelled, summary.Outcome);
        Assert.Empty(await rig.Ledger.ListStagedChangesAsync(summary.RunId!, default).ToListAsync());
        Assert.Null((await rig.Ledger.GetPairAsync(rig.Pair.PairId, default))!.Cursor);
    }

    [Fact]
    public async Task SyncAsync_NoChanges_ReadsOneDeltaPageAndTransfersNothing()
    {
        var rig = new Rig();
        rig.Drive.PutFile("a/b.txt", Bytes(1));
        await rig.SyncAsync();
        var requestsBefore = rig.Drive.DeltaRequests;
        var readsBefore = rig.Drive.ContentReads;
        rig.Ledger.ResetCounters();

        var summary = await rig.SyncAsync();

        Assert.Equal(0, summary.Total);
        Assert.Equal(1, rig.Drive.DeltaRequests - requestsBefore);
        Assert.Equal(readsBefore, rig.Drive.ContentReads);
        Assert.Equal(0, rig.Ledger.CallCount(nameof(InMemoryLedger.ListBaselineAsync)));
        Assert.True(rig.Ledger.TableRequests <= 10, string.Join(", ", rig.Ledger.Calls.Select(kv => $"{kv.Key}={kv.Value}")));
    }

    [Fact]
    public async Task SyncAsync_OneFileEdited_TransfersOnlyThatFile()
    {
        var rig = new Rig();
        for (var i = 0; i < 8; i++)
        {
            rig.Drive.PutFile($"d{i}/f.txt", Bytes(i));
        }

        await rig.SyncAsync();
        rig.Drive.Update(rig.Drive.IdOf("d3/f.txt")!, Bytes(99, 500));
        var reads = rig.Drive.ContentReads;

        var summary = await rig.SyncAsync();

        Assert.Equal(1, summary.TransferredByThisProcess);
        Assert.Equal(reads + 1, rig.Drive.ContentReads);
        rig.AssertMirrored();
    }

    [Fact]
    public async Task SyncAsync_FolderRenamedAndFileMoved_MovesServerSideWithoutContent()
    {
        var rig = new Rig();
        rig.Drive.PutFile("old/x/1.txt", Bytes(1));
        rig.Drive.PutFile("old/x/2.txt", Bytes(2));
        rig.Drive.PutFile("keep/3.txt", Bytes(3));
        await rig.SyncAsync();
        rig.Drive.Rename(rig.Drive.IdOf("old")!, "new");
        rig.Drive.Move(rig.Drive.IdOf("keep/3.txt")!, rig.Drive.IdOf("new/x")!);
        var reads = rig.Drive.ContentReads;

        var summary = await rig.SyncAsync();

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(reads, rig.Drive.ContentReads);
        Assert.Equal(3, rig.Destination.Moves);
        rig.AssertMirrored();
        Assert.Equal(["new/x/1.txt", "new/x/2.txt", "new/x/3.txt"], rig.Ledger.BaselineSnapshot(rig.Pair.PairId).Select(b => b.Path));
    }

    [Fact]
    public async Task SyncAsync_RenameToLocalFolder_RenamesTheFolderWithoutReadingContent()
    {
        var rig = new Rig();
        var root = Directory.CreateTempSubdirectory("syncfn-cf-").FullName;
        try
        {
            var local = new LocalFolderStore(root, TimeProvider.System);
            rig.Drive.PutFile("a/1.txt", Bytes(1));
            await rig.SyncAsync(local);
            rig.Drive.Rename(rig.Drive.IdOf("a")!, "b");
            var reads = rig.Drive.ContentReads;

            var summary = await rig.SyncAsync(local);

            Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
            Assert.Equal(reads, rig.Drive.ContentReads);
            Assert.False(File.Exists(Path.Combine(root, "a", "1.txt")));
            Assert.Equal(Bytes(1), File.ReadAllBytes(Path.Combine(root, "b", "1.txt")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task SyncAsync_FileAndFolderDeleted_DeletesAtDestination()
    {
        var rig = new Rig();
        rig.Drive.PutFile("gone/1.txt", Bytes(1));
        rig.Drive.PutFile("gone/deep/2.txt", Bytes(2));
        rig.Drive.PutFile("file.txt", Bytes(3));
        rig.Drive.PutFile("stay.txt", Bytes(4));
        await rig.SyncAsync();
        rig.Drive.Delete(rig.Drive.IdOf("gone")!);
        rig.Drive.Delete(rig.Drive.IdOf("file.txt")!);

        var summary = await rig.SyncAsync();

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(["stay.txt"], rig.Destination.Paths);
        rig.AssertMirrored();
    }

    [Fact]
    public async Task SyncAsync_FolderDeletedWithBareDeleteRecord_DeletesItsFilesFromTheTree()
    {
        var rig = new Rig();
        rig.Drive.PutFile("gone/1.txt", Bytes(1));
        rig.Drive.PutFile("gone/deep/2.txt", Bytes(2));
        rig.Drive.PutFile("stay.txt", Bytes(3));
        await rig.SyncAsync();
        rig.Drive.BareDeleteRecords = true;
        rig.Drive.Delete(rig.Drive.IdOf("gone")!);

        var summary = await rig.SyncAsync();

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(["stay.txt"], rig.Destination.Paths);
    }

    [Fact]
    public async Task SyncAsync_FileReplacedByNewItemAtSamePath_KeepsTheNewContent()
    {
        var rig = new Rig();
        rig.Drive.PutFile("docs/report.txt", Bytes(1));
        rig.Drive.PutFile("docs/other.txt", Bytes(2));
        await rig.SyncAsync();
        var oldId = rig.Drive.IdOf("docs/report.txt")!;
        rig.Drive.Delete(oldId);
        var newId = rig.Drive.CreateFile(rig.Drive.IdOf("docs")!, "report.txt", Bytes(9));
        Assert.NotEqual(oldId, newId);

        var summary = await rig.SyncAsync();

        // The delete of the old item must not remove the new one: deletes are planned after uploads, and a path
        // something new is planned at is not deleted.
        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(0, summary.Failed);
        Assert.Equal(Bytes(9), rig.Destination.TryGet("docs/report.txt"));
        rig.AssertMirrored();
    }

    [Fact]
    public async Task SyncAsync_CursorExpired_ResyncAppliesOnlyDifferences()
    {
        var rig = new Rig();
        rig.Drive.PutFile("a.txt", Bytes(1));
        rig.Drive.PutFile("b.txt", Bytes(2));
        rig.Drive.PutFile("c.txt", Bytes(3));
        await rig.SyncAsync();
        rig.Drive.Delete(rig.Drive.IdOf("b.txt")!);
        rig.Drive.Update(rig.Drive.IdOf("c.txt")!, Bytes(33));
        rig.Drive.InvalidateCursors();
        rig.Destination.ResetCounters();

        var summary = await rig.SyncAsync();

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(1, summary.TransferredByThisProcess);
        Assert.Equal(0, rig.Destination.WriteCount("a.txt"));
        rig.AssertMirrored();
    }

    [Fact]
    public async Task SyncAsync_InterruptedDuringEnumeration_ContinuesFromLastStagedPage()
    {
        var rig = new Rig();
        for (var i = 0; i < 12; i++)
        {
            rig.Drive.PutFile($"f{i:D2}.txt", Bytes(i));
        }

        using var interrupt = new CancellationTokenSource();
        var staged = 0;
        rig.Ledger.BeforeOperation = (method, _) =>
        {
            if (method == nameof(InMemoryLedger.StageChangesAsync) && Interlocked.Increment(ref staged) == 3)
            {
                interrupt.Cancel();
                throw new OperationCanceledException(interrupt.Token);
            }

            return Task.CompletedTask;
        };

        var first = await rig.SyncAsync(cancellationToken: interrupt.Token);
        rig.Ledger.BeforeOperation = null;
        var pagesBefore = rig.Drive.DeltaRequests;
        var second = await rig.SyncAsync();

        Assert.Equal(RunOutcome.Interrupted, first.Outcome);
        Assert.Equal(RunOutcome.Succeeded, second.Outcome);
        Assert.Equal(first.RunId, second.RunId);
        Assert.Equal(3, rig.Drive.DeltaRequests - pagesBefore);
        rig.AssertMirrored();
    }

    [Fact]
    public async Task SyncAsync_ContentNotMatchingReportedQuickXorHash_FailsItemAndCarriesItOver()
    {
        var rig = new Rig();
        var bad = rig.Drive.PutFile("bad.bin", Bytes(1));
        rig.Drive.PutFile("good.bin", Bytes(2));
        rig.Drive.WrongHashes.Add(bad);

        var summary = await rig.SyncAsync();

        Assert.Equal(RunOutcome.CompletedWithFailures, summary.Outcome);
        Assert.Contains("QuickXorHash", Assert.Single(summary.Failures).Reason, StringComparison.Ordinal);
        Assert.Equal(["good.bin"], rig.Destination.Paths);
        Assert.Single(rig.Ledger.CarryOverSnapshot(rig.Pair.PairId), c => c.Path == "bad.bin");
    }
}
