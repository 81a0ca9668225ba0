using Microsoft.Extensions.Logging;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.InProcess;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Retry;
using SyncFunctions.Core.Transfer;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Engine;

/// <summary>Destination folders emptied by deletes and moves are pruned after their work item (real-folder destinations).</summary>
public sealed class FolderPruningTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static byte[] Bytes(int seed) => EngineHarness.Content(seed, 200);

    private static Task<RunSummary> SyncAsync(IObjectStore source, FolderTreeStore destination, InMemoryLedger ledger) =>
        InProcessDriver.WithRetries(ledger, source, destination, new EngineEnvironment(TimeProvider.System, new OwnerIdentity("h", 7, DateTimeOffset.UnixEpoch), new FakeLiveness()))
            .SyncAsync(new PairRecord("prunepair", "memory:src", "memory:dst"), new SyncOptions { Parallel = 4, ChunkSize = 64 * 1024 }, Ct);

    private static (InMemoryObjectStore Source, FolderTreeStore Destination, InMemoryLedger Ledger) NewRig()
    {
        var source = new InMemoryObjectStore();
        source.Put("x/y/1.txt", Bytes(1));
        source.Put("x/y/2.txt", Bytes(2));
        source.Put("other/3.txt", Bytes(3));
        source.Put("top.txt", Bytes(4));
        return (source, new FolderTreeStore(new InMemoryObjectStore()), new InMemoryLedger());
    }

    [Fact]
    public async Task SyncAsync_UploadsOnly_PrunesNothing()
    {
        var (source, destination, ledger) = NewRig();

        var summary = await SyncAsync(source, destination, ledger);

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(["other", "x", "x/y"], destination.Folders);
        Assert.Empty(destination.PruneCalls);
    }

    [Fact]
    public async Task SyncAsync_EveryFileOfAFolderDeleted_RemovesTheFolderAndItsEmptiedParentAfterTheDeletes()
    {
        var (source, destination, ledger) = NewRig();
        await SyncAsync(source, destination, ledger);
        source.Remove("x/y/1.txt");
        source.Remove("x/y/2.txt");
        source.Remove("top.txt");

        var summary = await SyncAsync(source, destination, ledger);

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(["other"], destination.Folders);
        Assert.Equal(["other/3.txt"], destination.Inner.Paths);
        var call = Assert.Single(destination.PruneCalls);
        Assert.Equal(["x/y", "x"], call.Folders);
        Assert.Equal(["other/3.txt"], call.ObjectsAtCall);
    }

    [Fact]
    public async Task SyncAsync_SomeFilesOfAFolderDeleted_KeepsTheFolder()
    {
        var (source, destination, ledger) = NewRig();
        await SyncAsync(source, destination, ledger);
        source.Remove("x/y/1.txt");

        await SyncAsync(source, destination, ledger);

        Assert.Equal(["other", "x", "x/y"], destination.Folders);
        Assert.Equal(["other/3.txt", "top.txt", "x/y/2.txt"], destination.Inner.Paths);
    }

    [Fact]
    public async Task SyncAsync_DeleteRefusedBecauseTheDestinationChanged_PrunesNothing()
    {
        var (source, destination, ledger) = NewRig();
        await SyncAsync(source, destination, ledger);
        source.Remove("x/y/1.txt");
        destination.Inner.Put("x/y/1.txt", Bytes(99));

        var summary = await SyncAsync(source, destination, ledger);

        Assert.Equal(RunOutcome.CompletedWithFailures, summary.Outcome);
        Assert.Empty(destination.PruneCalls);
        Assert.Equal(["other", "x", "x/y"], destination.Folders);
    }

    [Fact]
    public async Task SyncAsync_FolderRenamedOnTheSourceDrive_LeavesNoOldFolderAtTheDestination()
    {
        var drive = new FakeDrive(pageSize: 3);
        drive.PutFile("old/x/1.txt", Bytes(1));
        drive.PutFile("old/x/2.txt", Bytes(2));
        drive.PutFile("keep/3.txt", Bytes(3));
        var destination = new FolderTreeStore(new InMemoryObjectStore());
        var ledger = new InMemoryLedger();
        await SyncAsync(drive, destination, ledger);
        drive.Rename(drive.IdOf("old")!, "new");

        var summary = await SyncAsync(drive, destination, ledger);

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(2, destination.Inner.Moves);
        Assert.Equal(["keep/3.txt", "new/x/1.txt", "new/x/2.txt"], destination.Inner.Paths);
        Assert.Equal(["keep", "new", "new/x"], destination.Folders);
        Assert.Equal(new HashSet<string>(["old/x", "old"]), destination.PrunedCandidates);
    }

    [Fact]
    public async Task SyncAsync_PruningFails_RunSucceedsAndTheFolderStays()
    {
        var (source, destination, ledger) = NewRig();
        await SyncAsync(source, destination, ledger);
        source.Remove("x/y/1.txt");
        source.Remove("x/y/2.txt");
        destination.PruneFault = new StorageException(StorageErrorKind.Permanent, "refused");

        var summary = await SyncAsync(source, destination, ledger);

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(2, summary.Succeeded);
        Assert.Equal(["other/3.txt", "top.txt"], destination.Inner.Paths);
        Assert.Equal(["other", "x", "x/y"], destination.Folders);
    }

    [Fact]
    public void EmptiedFolders_MixedResults_ParentsOfDoneDeletesAndMoveSourcesOnly()
    {
        ActionRecord[] results =
        [
            Action(ActionKind.Upload, "up/new.txt"),
            Action(ActionKind.Delete, "gone/a/f.txt"),
            Action(ActionKind.Delete, "gone/a/g.txt"),
            Action(ActionKind.Delete, "failed/f.txt", ActionStatus.Failed),
            Action(ActionKind.Delete, "root-file.txt"),
            Action(ActionKind.Move, "to/f.txt") with { FromPath = "from/deep/f.txt" },
            Action(ActionKind.UpdateBaseline, "same/f.txt"),
        ];

        var folders = FolderPruning.EmptiedFolders(results);

        Assert.Equal(["from/deep", "gone/a"], folders);
    }

    [Fact]
    public async Task PruneAfterAsync_AWriterHoldsAParent_PrunesOnlyTheFoldersBelowIt()
    {
        var destination = new FolderTreeStore(new InMemoryObjectStore());
        var pruning = NewPruning(destination);
        using var hold = await pruning.HoldForWriteAsync("a/new.txt", Ct);

        await pruning.PruneAfterAsync([Action(ActionKind.Delete, "a/b/c/f.txt")], Ct);

        Assert.Equal(["a/b/c", "a/b"], Assert.Single(destination.PruneCalls).Folders);
    }

    [Fact]
    public async Task HoldForWriteAsync_WhileAPruneHoldsTheFolder_WaitsUntilThePruneEnds()
    {
        var destination = new FolderTreeStore(new InMemoryObjectStore());
        var pruneEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pruneMayEnd = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        destination.BeforePrune = async (_, ct) =>
        {
            pruneEntered.TrySetResult();
            await pruneMayEnd.Task.WaitAsync(ct);
        };
        var pruning = NewPruning(destination);
        var prune = pruning.PruneAfterAsync([Action(ActionKind.Delete, "a/b/f.txt")], Ct);
        await pruneEntered.Task;

        var writerInPrunedFolder = pruning.HoldForWriteAsync("a/new.txt", Ct);
        using var elsewhere = await pruning.HoldForWriteAsync("z/new.txt", Ct);

        Assert.False(writerInPrunedFolder.IsCompleted);
        pruneMayEnd.SetResult();
        await prune;
        using var hold = await writerInPrunedFolder;
        Assert.NotNull(hold);
    }

    [Fact]
    public async Task PruneAfterAsync_PrunerFails_LogsAWarningAndReturns()
    {
        var destination = new FolderTreeStore(new InMemoryObjectStore()) { PruneFault = new StorageException(StorageErrorKind.Permanent, "refused") };
        var log = new ListLogger();
        var pruning = new FolderPruning(destination, log);

        await pruning.PruneAfterAsync([Action(ActionKind.Delete, "a/f.txt")], Ct);

        var entry = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal(1070, entry.EventId);
        Assert.Contains("refused", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HoldForWriteAsync_DestinationWithoutFolders_HoldsNothing()
    {
        var pruning = new FolderPruning(new InMemoryObjectStore(), new ListLogger());

        var hold = await pruning.HoldForWriteAsync("a/b.txt", Ct);

        Assert.Null(hold);
    }

    private static FolderPruning NewPruning(IObjectStore destination) =>
        new(destination, new ListLogger());

    private static ActionRecord Action(ActionKind kind, string path, ActionStatus status = ActionStatus.Done) => new()
    {
        RunId = "r",
        ItemId = "i",
        ActionId = path,
        Kind = kind,
        Path = path,
        Status = status,
    };
}
