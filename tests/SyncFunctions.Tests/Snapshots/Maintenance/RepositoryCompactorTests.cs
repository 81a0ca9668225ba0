using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Core.Snapshots.Maintenance;
using static SyncFunctions.Tests.Snapshots.Maintenance.CompactKit;

namespace SyncFunctions.Tests.Snapshots.Maintenance;

/// <summary>Compaction over a repository where forget left a pack half dead, and its hand-off to GC.</summary>
public sealed class RepositoryCompactorTests
{
    [Fact]
    public async Task PlanAsync_ForgetLeftAPackHalfDead_MarksItFirstThenRepacksItsLiveChunks()
    {
        var (kit, pack) = await HalfDeadAsync();

        var first = await Compactor(kit).PlanAsync(null, CancellationToken.None);
        Assert.Empty(first.Repack);
        Assert.Equal([pack], first.MarkForLater.Select(p => p.Path));
        Assert.Contains(pack, first.Mark);

        // The compactor's mark, then GC's, which marks the sparse pack again without deleting it.
        await Compactor(kit).RunAsync(false, null, CancellationToken.None);
        Assert.Empty((await Compactor(kit).PlanAsync(null, CancellationToken.None)).Repack);
        var gc = await kit.Collector().RunAsync(false, null, CancellationToken.None);
        Assert.Equal(1, gc.HeldForCompaction);
        Assert.Equal(0, gc.Deleted.Total);
        Assert.Contains(pack, GcMark.Decode(gc.MarkWritten![RepositoryLayout.GcMarksFolder.Length..], kit.Store.TryGet(gc.MarkWritten)!).Objects);
        kit.PassGrace();
        var plan = await Compactor(kit).PlanAsync(null, CancellationToken.None);

        var repack = Assert.Single(plan.Repack);
        Assert.Equal(pack, repack.Pack.Path);
        Assert.InRange(repack.LiveFraction, 0.5, 0.65); // a's 20,000 of 35,000 bytes
        Assert.Equal(A.Length, repack.Move.Sum(e => e.RawLength));
        Assert.Equal(B.Length, repack.DroppedBytes);
        Assert.Empty(plan.MarkForLater);
        Assert.Single(plan.Merge);
        Assert.Empty(plan.Kept);
        Assert.Equal(2, plan.Scanned.Packs);
    }

    [Fact]
    public async Task RunAsync_CompactThenGcCycles_StoredBytesDropAndEverySnapshotRestoresAndVerifiesClean()
    {
        var (kit, pack) = await HalfDeadAsync();
        var storedBefore = (await new RepositoryStats(kit.Repository).ComputeAsync(CancellationToken.None)).StoredBytes;
        await MarkTwiceAsync(kit);
        var progress = new Recorder();

        var compactor = Compactor(kit);
        var report = await compactor.ExecuteAsync(await compactor.PlanAsync(null, CancellationToken.None), progress, CancellationToken.None);

        Assert.Equal([new CompactProgress(0, 1, 0), new CompactProgress(1, 1, report.ChunkBytesMoved)], progress.Reports);
        Assert.Equal((1, 1, 1), (report.PacksRepacked, report.PacksWritten, report.IndexesMerged));
        Assert.Equal(B.Length, report.ChunkBytesDropped);
        Assert.NotNull(report.IndexWritten);
        Assert.NotNull(report.MarkWritten);
        var index = PackIndex.Decode(ObjectId.Parse(report.IndexWritten![RepositoryLayout.IndexFolder.Length..]), kit.Store.TryGet(report.IndexWritten)!);
        Assert.Single(index.Supersedes);
        await AssertCleanAsync(kit);

        await CollectUntilStableAsync(kit);

        Assert.DoesNotContain(pack, kit.Store.Paths);
        Assert.Contains(report.IndexWritten, Under(kit, RepositoryLayout.IndexFolder));
        Assert.Equal(2, Under(kit, RepositoryLayout.IndexFolder).Count); // the new one and c's
        var storedAfter = (await new RepositoryStats(kit.Repository).ComputeAsync(CancellationToken.None)).StoredBytes;
        Assert.True(storedAfter <= storedBefore - B.Length, $"stored {storedBefore} -> {storedAfter}");
        await AssertCleanAsync(kit);
        Assert.Empty((await Compactor(kit).PlanAsync(null, CancellationToken.None)).Repack);
    }

    [Fact]
    public async Task RunAsync_DryRun_WritesNothingAndReportsWhatTheRealRunDoes()
    {
        var (kit, _) = await HalfDeadAsync();
        await MarkTwiceAsync(kit);
        var before = kit.Store.Snapshot();

        var dry = await Compactor(kit).RunAsync(true, null, CancellationToken.None);

        Assert.Equal(before.Keys, kit.Store.Paths);
        Assert.All(before, kv => Assert.Equal(kv.Value, kit.Store.TryGet(kv.Key)));
        var real = await Compactor(kit).RunAsync(false, null, CancellationToken.None);
        Assert.True(dry.DryRun);
        Assert.Equal(1, dry.PacksRepacked);
        Assert.Equal(real with { DryRun = true, PacksWritten = 0, PackBytesWritten = 0, IndexWritten = null, MarkWritten = null }, dry);
    }

    [Fact]
    public async Task RunAsync_ManySmallIndexes_MergesThemIntoOneIndexThatSupersedesThem()
    {
        var kit = await GcKit.CreateAsync();
        for (var i = 0; i < 4; i++)
        {
            await kit.SnapshotAsync(GcKit.Files(("f" + i, RepositoryKit.Bytes(100 + i, 5_000))), "run-" + i);
        }

        var oldIndexes = Under(kit, RepositoryLayout.IndexFolder);
        var chunks = kit.Repository.Content.ChunkCount;
        var options = Options with { MergeSmallIndexesAt = 4 };

        var report = await Compactor(kit, options).RunAsync(false, null, CancellationToken.None);

        Assert.Equal((4, 0, 0), (report.IndexesMerged, report.PacksRepacked, report.PacksWritten));
        var index = PackIndex.Decode(ObjectId.Parse(report.IndexWritten![RepositoryLayout.IndexFolder.Length..]), kit.Store.TryGet(report.IndexWritten)!);
        Assert.Equal(oldIndexes, index.Supersedes.Select(RepositoryLayout.IndexPath).Order(StringComparer.Ordinal));
        Assert.Equal(4, index.Packs.Count);
        Assert.Equal(chunks, (await SnapshotRepository.OpenAsync(kit.Store, CancellationToken.None)).Content.ChunkCount);
        await AssertCleanAsync(kit);

        await CollectUntilStableAsync(kit);
        Assert.Equal([report.IndexWritten], Under(kit, RepositoryLayout.IndexFolder));
        Assert.Equal(4, RepositoryKit.PackCount(kit.Store));
        await AssertCleanAsync(kit);
        Assert.Equal(0, (await Compactor(kit, options).RunAsync(false, null, CancellationToken.None)).IndexesMerged);
    }

    [Theory]
    [InlineData(RepositoryLayout.IndexFolder)]
    [InlineData(RepositoryLayout.GcMarksFolder)]
    public async Task RunAsync_CrashAtTheWriteOf_LeavesACleanRepositoryThatASecondRunAndGcFinish(string crashAt)
    {
        var (kit, pack) = await HalfDeadAsync();
        await MarkTwiceAsync(kit);
        var crashed = false;
        kit.Store.FaultInjector = (op, path) =>
        {
            if (!crashed && op == Fakes.InMemoryObjectStore.Ops.Write && path.StartsWith(crashAt, StringComparison.Ordinal))
            {
                crashed = true;
                return new StorageException(StorageErrorKind.Transient, "simulated crash");
            }

            return null;
        };

        await Assert.ThrowsAsync<StorageException>(() => Compactor(kit).RunAsync(false, null, CancellationToken.None));
        kit.Store.FaultInjector = null;
        Assert.True(crashed);
        await AssertCleanAsync(kit);

        var again = await SnapshotRepository.OpenAsync(kit.Store, CancellationToken.None);
        var second = await Compactor(kit, repository: again).RunAsync(false, null, CancellationToken.None);
        Assert.Equal(crashAt == RepositoryLayout.IndexFolder ? 1 : 0, second.PacksRepacked);
        await AssertCleanAsync(kit);
        await CollectUntilStableAsync(kit);

        Assert.DoesNotContain(pack, kit.Store.Paths);
        Assert.Equal(2, RepositoryKit.PackCount(kit.Store)); // a's new pack and c's
        await AssertCleanAsync(kit);
    }

    [Fact]
    public async Task RunAsync_SnapshotInFlightReusesAnUnreferencedChunkOfTheSparsePack_TheChunkIsMovedNotDropped()
    {
        var (kit, pack) = await HalfDeadAsync();

        // This writer opened before any mark: it deduplicates b against the half-dead pack.
        var writer = await SnapshotRepository.OpenAsync(kit.Store, CancellationToken.None);
        var chunkWriter = writer.Content.NewWriter(RepositoryKit.PackTarget);
        var chunked = await RepositoryKit.ChunkAsync(writer, chunkWriter, GcKit.Files(("b", B)));
        Assert.Equal(0, chunkWriter.ChunksStored);

        await Compactor(kit).RunAsync(false, null, CancellationToken.None);
        kit.Clock.Advance(TimeSpan.FromMinutes(5)); // within the minimum age of its open, the writer finishes
        var late = await new SnapshotWriter(writer, kit.Clock).WriteAsync(RepositoryKit.ToAsync(chunked), RepositoryKit.Info("late"), CancellationToken.None);
        kit.Expected[late.Id] = GcKit.Files(("b", B));
        await kit.Collector().RunAsync(false, null, CancellationToken.None);
        kit.PassGrace();

        var plan = await Compactor(kit).PlanAsync(null, CancellationToken.None);
        Assert.Empty(plan.Repack); // b is referenced again: the pack is not sparse any more
        await CollectUntilStableAsync(kit);
        Assert.Contains(pack, kit.Store.Paths);
        await AssertCleanAsync(kit);
    }

    [Fact]
    public async Task ExecuteAsync_IndexAlsoNamesAPackAMarkNames_WaitsSoGcCannotDeleteAPackTheNewIndexWouldName()
    {
        // One index for a pack per chunk of a and b; s2 keeps a, s3 = {c} keeps a snapshot when a goes too.
        var kit = await GcKit.CreateAsync();
        var s1 = await kit.SnapshotAsync(GcKit.Files(("a", A), ("b", B)), "run-1", packTarget: 1);
        var shared = Assert.Single(Under(kit, RepositoryLayout.IndexFolder));
        var s2 = await kit.SnapshotAsync(GcKit.Files(("a", A)), "run-2");
        await kit.SnapshotAsync(GcKit.Files(("c", C)), "run-3");
        var forgetter = new SnapshotForgetter(kit.Repository, kit.Clock);
        await forgetter.ApplyAsync(new RetentionPlan([], [s1]), CancellationToken.None);
        kit.Expected.Remove(s1.Id);
        kit.PassGrace();

        // Two marks name the shared index and all its packs (say, from a time when nothing referenced them).
        var index = PackIndex.Decode(ObjectId.Parse(shared[RepositoryLayout.IndexFolder.Length..]), kit.Store.TryGet(shared)!);
        var paths = index.Packs.Select(p => RepositoryLayout.PackPath(p.PackId)).Append(shared).ToList();
        foreach (var (age, suffix) in new[] { (GcKit.Safety.Grace + TimeSpan.FromMinutes(2), "0000000000000001"), (TimeSpan.FromMinutes(1), "0000000000000002") })
        {
            var time = kit.Clock.GetUtcNow() - age;
            kit.Store.Put(RepositoryLayout.MarkPath(time, suffix), new GcMark(time, paths).Encode());
        }

        // b's packs are ready to repack, but the index also names a's packs, which it would keep while a mark names them.
        var plan = await Compactor(kit).PlanAsync(null, CancellationToken.None);

        // Forget a's last snapshot: GC may now delete the index with every pack it names before the plan is executed.
        await forgetter.ApplyAsync(new RetentionPlan([], [s2]), CancellationToken.None);
        kit.Expected.Remove(s2.Id);
        var gc = await kit.Collector().RunAsync(false, null, CancellationToken.None);
        Assert.Equal(index.Packs.Count, gc.Deleted.Packs);
        await Compactor(kit).ExecuteAsync(plan, null, CancellationToken.None);
        await AssertCleanAsync(kit);
        Assert.Empty(plan.Repack);
        Assert.Empty(plan.Merge);
    }

    [Fact]
    public async Task RunAsync_Max_RepacksThatManyPacksAndTheRestNextTime()
    {
        var kit = await GcKit.CreateAsync();
        var d = RepositoryKit.Bytes(14, 18_000);
        var s1 = await kit.SnapshotAsync(GcKit.Files(("a", A), ("b", B)), "run-1");
        var s2 = await kit.SnapshotAsync(GcKit.Files(("c", C), ("d", d)), "run-2");
        var sparse = Under(kit, RepositoryLayout.PacksFolder);
        await kit.SnapshotAsync(GcKit.Files(("a", A), ("d", d)), "run-3"); // nothing new: a and d are deduplicated
        await new SnapshotForgetter(kit.Repository, kit.Clock).ApplyAsync(new RetentionPlan([], [s1, s2]), CancellationToken.None);
        kit.Expected.Remove(s1.Id);
        kit.Expected.Remove(s2.Id);
        kit.PassGrace();
        await MarkTwiceAsync(kit);

        var first = await Compactor(kit).RunAsync(false, 1, CancellationToken.None);
        var second = await Compactor(kit).RunAsync(false, 1, CancellationToken.None);

        Assert.Equal(2, sparse.Count);
        Assert.Equal((1, 1), (first.PacksRepacked, second.PacksRepacked));
        Assert.Equal(0, first.PacksMarked); // the other one is ready, only over the limit
        await AssertCleanAsync(kit);
        await CollectUntilStableAsync(kit);
        Assert.DoesNotContain(kit.Store.Paths, sparse.Contains);
        await AssertCleanAsync(kit);
    }

    [Fact]
    public void CompactOptions_OutOfRange_IsAProblem()
    {
        Assert.Null(CompactOptions.Default.Problem());
        Assert.NotNull((CompactOptions.Default with { LiveFraction = 0 }).Problem());
        Assert.NotNull((CompactOptions.Default with { LiveFraction = 1.5 }).Problem());
        Assert.NotNull((CompactOptions.Default with { LiveFraction = double.NaN }).Problem());
        Assert.NotNull((CompactOptions.Default with { MergeSmallIndexesAt = 1 }).Problem());
        Assert.NotNull((CompactOptions.Default with { PackTargetLength = 0 }).Problem());
        Assert.Throws<ArgumentException>(() => new RepositoryCompactor(null!, TimeProvider.System, GcSafety.Default, CompactOptions.Default with { LiveFraction = 0 }));
    }

    private sealed class Recorder : IProgress<CompactProgress>
    {
        public List<CompactProgress> Reports { get; } = [];

        public void Report(CompactProgress value) => Reports.Add(value);
    }
}
