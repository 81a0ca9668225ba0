using SyncFunctions.Abstractions;
using SyncFunctions.Core.InProcess;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Stores;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Engine;

/// <summary>
/// A folder renamed or moved at a change-feed source: one folder move at a destination that moves whole folders
/// (a drive, a local folder), a server-side move per file elsewhere (Blob); never content.
/// </summary>
public sealed class FolderMoveEngineTests : IDisposable
{
    private const int Files = 50;
    private readonly List<string> _temp = [];

    public void Dispose()
    {
        foreach (var dir in _temp.Where(Directory.Exists))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task SyncAsync_FolderOf50FilesRenamedToDrive_OneFolderMoveNoContent()
    {
        var rig = new Rig();
        var drive = new FolderTreeStore(rig.Memory) { MovesFolders = true };
        rig.Seed();
        await rig.SyncAsync(drive);
        rig.Drive.Rename(rig.Drive.IdOf("docs")!, "papers");
        rig.Memory.ResetCounters();
        var read = rig.Drive.ContentBytesRead;

        var summary = await rig.SyncAsync(drive);

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(1, summary.Total);
        Assert.Equal(1, drive.FolderMoves);
        Assert.Equal(1, rig.Memory.TotalRequests); // the folder move, nothing else
        Assert.Equal(0, rig.Memory.Moves);
        Assert.Equal(0, rig.Memory.BodyBytesWritten);
        Assert.Equal(0, summary.BytesTransferred);
        Assert.Equal(read, rig.Drive.ContentBytesRead);
        rig.AssertMirrored(rig.Memory.Snapshot());
        rig.AssertBaselineUnder("papers/");
        Assert.Contains("papers", drive.Folders);
        Assert.DoesNotContain("docs", drive.Folders);

        await rig.AssertSecondSyncIsNoOpAsync(drive);
    }

    [Fact]
    public async Task SyncAsync_FolderOf50FilesRenamedToLocalFolder_RenamesWithoutReadingTheSource()
    {
        var rig = new Rig();
        var root = NewTempDir();
        var local = new LocalFolderStore(root, TimeProvider.System);
        rig.Seed();
        await rig.SyncAsync(local);
        var times = Directory.EnumerateFiles(Path.Join(root, "docs"), "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(root, f), File.GetLastWriteTimeUtc);
        rig.Drive.Rename(rig.Drive.IdOf("docs")!, "papers");
        var read = rig.Drive.ContentBytesRead;

        var summary = await rig.SyncAsync(local);

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(1, summary.Total);
        Assert.Equal(read, rig.Drive.ContentBytesRead);
        Assert.Equal(0, summary.BytesTransferred);
        Assert.False(Directory.Exists(Path.Join(root, "docs")));
        rig.AssertMirrored(LocalSnapshot(root));
        foreach (var (path, time) in times)
        {
            Assert.Equal(time, File.GetLastWriteTimeUtc(Path.Join(root, "papers" + path["docs".Length..])));
        }

        rig.AssertBaselineUnder("papers/");
        await rig.AssertSecondSyncIsNoOpAsync(local);
    }

    [Fact]
    public async Task SyncAsync_FolderOf50FilesRenamedToBlobLikeStore_MovesEachFileServerSide()
    {
        var rig = new Rig();
        rig.Seed();
        await rig.SyncAsync(rig.Memory);
        rig.Drive.Rename(rig.Drive.IdOf("docs")!, "papers");
        rig.Memory.ResetCounters();
        var read = rig.Drive.ContentBytesRead;
        var bytes = rig.Memory.Snapshot().Where(kv => kv.Key.StartsWith("docs/", StringComparison.Ordinal)).Sum(kv => (long)kv.Value.Length);

        var summary = await rig.SyncAsync(rig.Memory);

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(Files, summary.Total);
        Assert.Equal(Files, rig.Memory.Moves);
        Assert.Equal(0, rig.Memory.BodyBytesWritten);
        Assert.Equal(bytes, rig.Memory.ServerSideBytesCopied);
        Assert.Equal(read, rig.Drive.ContentBytesRead);
        rig.AssertMirrored(rig.Memory.Snapshot());
        rig.AssertBaselineUnder("papers/");
        await rig.AssertSecondSyncIsNoOpAsync(rig.Memory);
    }

    [Fact]
    public async Task SyncAsync_DryRunOfAFolderRename_ShowsOneFolderMoveAndChangesNothing()
    {
        var rig = new Rig();
        var drive = new FolderTreeStore(rig.Memory) { MovesFolders = true };
        rig.Seed();
        await rig.SyncAsync(drive);
        rig.Drive.Rename(rig.Drive.IdOf("docs")!, "papers");
        var before = rig.Memory.Snapshot();

        var summary = await rig.SyncAsync(drive, rig.Options with { DryRun = true });

        var planned = Assert.Single(summary.Planned);
        Assert.Equal(nameof(ActionKind.MoveFolder), planned.Kind);
        Assert.Equal("papers", planned.Path);
        Assert.Contains("docs", planned.Reason, StringComparison.Ordinal);
        Assert.Equal(before.Keys, rig.Memory.Snapshot().Keys);
        Assert.Equal(0, drive.FolderMoves);
        rig.AssertBaselineUnder("docs/");
    }

    [Fact]
    public async Task SyncAsync_RenamedFolderWithChangesInside_MovesFoldersFirstThenAppliesTheChanges()
    {
        var rig = new Rig();
        var drive = new FolderTreeStore(rig.Memory) { MovesFolders = true };
        rig.Seed();
        rig.Drive.PutFile("elsewhere/keep.txt", Rig.Bytes(900));
        await rig.SyncAsync(drive);
        var docs = rig.Drive.IdOf("docs")!;
        rig.Drive.Rename(docs, "papers");
        rig.Drive.Update(rig.Drive.IdOf("papers/s0/f00.txt")!, Rig.Bytes(1000, 77));       // changed in place
        rig.Drive.Move(rig.Drive.IdOf("papers/s1/f01.txt")!, rig.Drive.IdOf("elsewhere")!); // moved out
        rig.Drive.Delete(rig.Drive.IdOf("papers/s2/f02.txt")!);                            // deleted
        rig.Drive.Move(rig.Drive.IdOf("papers/s3")!, rig.Drive.IdOf("elsewhere")!);       // subfolder moved out
        rig.Drive.CreateFile(rig.Drive.IdOf("papers")!, "new.txt", Rig.Bytes(1001, 300));  // new
        rig.Memory.ResetCounters();

        var summary = await rig.SyncAsync(drive);

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(0, summary.Failed);
        Assert.Equal(2, drive.FolderMoves); // docs -> papers, papers/s3 -> elsewhere/s3
        Assert.Equal(1, rig.Memory.Moves);   // f01.txt
        Assert.Equal(Rig.Bytes(1000, 77).Length + 300, rig.Memory.BodyBytesWritten);
        rig.AssertMirrored(rig.Memory.Snapshot());
        Assert.Equal(
            rig.SourceFiles().Select(f => f.Path),
            rig.Ledger.BaselineSnapshot(rig.Pair.PairId).Select(b => b.Path));
        await rig.AssertSecondSyncIsNoOpAsync(drive);
    }

    [Fact]
    public async Task SyncAsync_TargetFolderTakenAtTheDestination_MovesTheFilesOneByOne()
    {
        var rig = new Rig();
        var drive = new FolderTreeStore(rig.Memory) { MovesFolders = true };
        rig.Seed();
        await rig.SyncAsync(drive);
        rig.Drive.Rename(rig.Drive.IdOf("docs")!, "papers");
        await drive.WriteAsync("papers/theirs.txt", new MemoryStream([1, 2, 3]), new WriteOptions(), default);
        rig.Memory.ResetCounters();

        var summary = await rig.SyncAsync(drive);

        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(0, drive.FolderMoves);
        Assert.Equal(Files, rig.Memory.Moves);
        Assert.Equal(0, rig.Memory.BodyBytesWritten);
        Assert.Equal([1, 2, 3], rig.Memory.TryGet("papers/theirs.txt"));
        Assert.True(rig.Memory.Remove("papers/theirs.txt")); // someone else's: left alone
        rig.AssertMirrored(rig.Memory.Snapshot());
        rig.AssertBaselineUnder("papers/");
        await rig.AssertSecondSyncIsNoOpAsync(drive);
    }

    [Fact]
    public async Task SyncAsync_FolderMoveReplyLost_RetryFindsTheFilesMovedAndTransfersNothing()
    {
        var rig = new Rig();
        var drive = new FolderTreeStore(rig.Memory) { MovesFolders = true };
        rig.Seed();
        await rig.SyncAsync(drive);
        rig.Drive.Rename(rig.Drive.IdOf("docs")!, "papers");
        var lost = 0;
        rig.Memory.FaultInjector = (op, path) =>
        {
            if (op != "MoveTree" || Interlocked.Exchange(ref lost, 1) != 0)
            {
                return null;
            }

            // The service did the move, and the reply never arrived.
            rig.Memory.MoveTree("docs", "papers");
            return new StorageException(StorageErrorKind.Transient, "connection reset after the request was sent");
        };
        rig.Memory.ResetCounters();
        var read = rig.Drive.ContentBytesRead;

        var summary = await rig.SyncAsync(drive);

        Assert.Equal(1, lost);
        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(0, rig.Memory.Moves);
        Assert.Equal(0, rig.Memory.BodyBytesWritten);
        Assert.Equal(read, rig.Drive.ContentBytesRead);
        rig.AssertMirrored(rig.Memory.Snapshot());
        rig.AssertBaselineUnder("papers/");
        await rig.AssertSecondSyncIsNoOpAsync(drive);
    }

    [Fact]
    public async Task SyncAsync_LedgerFailsWhileRekeying_RetriedItemRekeysWithoutMovingAgain()
    {
        var rig = new Rig();
        var drive = new FolderTreeStore(rig.Memory) { MovesFolders = true };
        rig.Seed();
        await rig.SyncAsync(drive);
        rig.Drive.Rename(rig.Drive.IdOf("docs")!, "papers");
        var failed = 0;
        rig.Ledger.BeforeOperation = (op, _) =>
            op == nameof(InMemoryLedger.ApplyBaselineAsync) && rig.Memory.TreeMoves == 1 && Interlocked.Exchange(ref failed, 1) == 0
                ? throw new StorageException(StorageErrorKind.Permanent, "the ledger refused the write")
                : Task.CompletedTask;

        var summary = await rig.SyncAsync(drive);

        Assert.Equal(1, failed);
        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.Equal(1, drive.FolderMoves); // the checkpoint said the folder had moved: the retry only re-keyed
        Assert.Equal(0, rig.Memory.Moves);
        rig.AssertMirrored(rig.Memory.Snapshot());
        rig.AssertBaselineUnder("papers/");
        rig.Ledger.BeforeOperation = null;
        await rig.AssertSecondSyncIsNoOpAsync(drive);
    }

    private string NewTempDir()
    {
        var dir = Directory.CreateTempSubdirectory("syncfn-fm-").FullName;
        _temp.Add(dir);
        return dir;
    }

    private static Dictionary<string, byte[]> LocalSnapshot(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllBytes, StringComparer.Ordinal);

    private sealed class Rig
    {
        public FakeDrive Drive { get; } = new(pageSize: 20);
        public InMemoryObjectStore Memory { get; } = new();
        public InMemoryLedger Ledger { get; } = new();
        public PairRecord Pair { get; } = new("movepair", "graph:fake", "memory:dst");
        public SyncOptions Options { get; } = new() { Parallel = 4, ChunkSize = 64 * 1024 };

        public static byte[] Bytes(int seed, int size = 200) => EngineHarness.Content(seed, size);

        /// <summary>50 files in docs/s0..s4 and one at the root.</summary>
        public void Seed()
        {
            for (var i = 0; i < Files; i++)
            {
                Drive.PutFile($"docs/s{i % 5}/f{i:D2}.txt", Bytes(i, 100 + i));
            }

            Drive.PutFile("top.txt", Bytes(99));
        }

        public Task<RunSummary> SyncAsync(IObjectStore destination, SyncOptions? options = null) =>
            InProcessDriver.WithRetries(Ledger, Drive, destination, new EngineEnvironment(TimeProvider.System, new OwnerIdentity("h", 7, DateTimeOffset.UnixEpoch), new FakeLiveness()))
                .SyncAsync(Pair, options ?? Options, CancellationToken.None);

        public List<ObjectInfo> SourceFiles() => Drive.ListAsync(default).ToBlockingEnumerable().Select(e => e.Object!).ToList();

        public void AssertMirrored(IReadOnlyDictionary<string, byte[]> destination)
        {
            var files = SourceFiles();
            Assert.Equal(files.Select(f => f.Path), destination.Keys.Order(StringComparer.Ordinal));
            foreach (var f in files)
            {
                using var s = Drive.OpenReadAsync(f.Path, 0, null, default).Result;
                using var ms = new MemoryStream();
                s.CopyTo(ms);
                Assert.Equal(ms.ToArray(), destination[f.Path]);
            }
        }

        /// <summary>Every baseline row of the renamed folder's files is under <paramref name="prefix"/>; the others stayed.</summary>
        public void AssertBaselineUnder(string prefix)
        {
            var rows = Ledger.BaselineSnapshot(Pair.PairId).Select(b => b.Path).ToList();
            Assert.Equal(Files, rows.Count(p => p.StartsWith(prefix, StringComparison.Ordinal)));
            Assert.Equal(Files + 1, rows.Count);
        }

        /// <summary>A second sync plans nothing and touches no object.</summary>
        public async Task AssertSecondSyncIsNoOpAsync(IObjectStore destination)
        {
            Memory.ResetCounters();
            var summary = await SyncAsync(destination);
            Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
            Assert.Equal(0, summary.Total);
            Assert.Equal(0, Memory.TotalRequests);
        }
    }
}
