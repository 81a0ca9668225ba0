using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Destination;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Core.Snapshots.Maintenance;

namespace SyncFunctions.Tests.Snapshots.Maintenance;

/// <summary>Two-phase GC over a repository of three snapshots of which one is forgotten.</summary>
public sealed class GarbageCollectorTests
{
    private static readonly byte[] A = RepositoryKit.Bytes(1, 20_000);
    private static readonly byte[] B = RepositoryKit.Bytes(2, 15_000);
    private static readonly byte[] C = RepositoryKit.Bytes(3, 12_000);

    private sealed record Setup(GcKit Kit, StoredSnapshot Forgotten, IReadOnlyList<string> Garbage, string LiveReferenceTree);

    /// <summary>s1 {a}, s2 {a, b}, s3 {a, c}, each by its own writer (its own pack and index), then s2 forgotten.</summary>
    private static async Task<Setup> ForgetMiddleAsync()
    {
        var kit = await GcKit.CreateAsync();
        await kit.SnapshotAsync(GcKit.Files(("a", A)), "run-1");
        var before = kit.Store.Paths.ToHashSet(StringComparer.Ordinal);
        var s2 = await kit.SnapshotAsync(GcKit.Files(("a", A), ("b", B)), "run-2");
        var s2Objects = kit.Store.Paths.Where(p => !before.Contains(p) && !p.StartsWith(RepositoryLayout.HeadsFolder, StringComparison.Ordinal)).ToList();
        await kit.SnapshotAsync(GcKit.Files(("a", A), ("c", C)), "run-3");

        // The content-reference trees a run into the repository writes: a's stays live (a is in live snapshots), b's is garbage.
        var liveReference = await StoreContentReferenceAsync(kit, A);
        var deadReference = await StoreContentReferenceAsync(kit, B);

        var result = await new SnapshotForgetter(kit.Repository, kit.Clock).ApplyAsync(new RetentionPlan([], [s2]), CancellationToken.None);
        Assert.Equal(new ForgetResult(1, 0), result);
        var garbage = s2Objects.Where(p => p != RepositoryLayout.SnapshotPath(s2.Id)).Append(deadReference).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(4, garbage.Count); // pack, index, root tree, b's content reference
        return new Setup(kit, s2, garbage, liveReference);
    }

    private static async Task<string> StoreContentReferenceAsync(GcKit kit, byte[] content)
    {
        using var stream = new MemoryStream(content);
        var writer = kit.Repository.Content.NewWriter();
        var file = await kit.Repository.Content.ChunkFileAsync(stream, writer, CancellationToken.None);
        await writer.FlushAsync(CancellationToken.None);
        var tree = ContentReference.Of(file.ContentHash, file.Chunks).Tree!;
        var path = RepositoryLayout.TreePath(tree.Id);
        kit.Store.Put(path, tree.Bytes);
        return path;
    }

    private static List<string> ContentPaths(GcKit kit) =>
        [.. kit.Store.Paths.Where(p => !p.StartsWith(RepositoryLayout.GcMarksFolder, StringComparison.Ordinal))];

    [Fact]
    public async Task RunAsync_Cycles_MarkFirstDeleteOnlyAfterTwoMarksAndTheGraceThenEverySnapshotRestores()
    {
        var (kit, _, garbage, liveReference) = await ForgetMiddleAsync();
        var gc = kit.Collector();
        var content = ContentPaths(kit);

        var young = await gc.RunAsync(false, null, CancellationToken.None);
        Assert.Equal(0, young.Marked.Total);
        Assert.Equal(garbage.Count, young.UnreferencedTooYoung);
        Assert.Null(young.MarkWritten);

        kit.PassGrace();
        var first = await gc.RunAsync(false, null, CancellationToken.None);
        Assert.Equal((1, 1, 2), (first.Marked.Packs, first.Marked.Indexes, first.Marked.Trees));
        Assert.Equal(0, first.Deleted.Total);
        Assert.NotNull(first.MarkWritten);
        Assert.Equal(garbage, GcMark.Decode(first.MarkWritten![RepositoryLayout.GcMarksFolder.Length..], kit.Store.TryGet(first.MarkWritten)!).Objects);

        var second = await gc.RunAsync(false, null, CancellationToken.None);
        Assert.Equal(0, second.Deleted.Total);
        Assert.Equal(content, ContentPaths(kit));

        kit.PassGrace();
        var third = await gc.RunAsync(false, null, CancellationToken.None);
        Assert.Equal(garbage.Count, third.Deleted.Total);
        Assert.Equal(first.Marked, third.Deleted);
        var fourth = await gc.RunAsync(false, null, CancellationToken.None);
        Assert.Equal(0, fourth.Deleted.Total + fourth.Marked.Total);

        Assert.Equal(content.Except(garbage), ContentPaths(kit));
        Assert.Contains(liveReference, kit.Store.Paths);
        Assert.Equal(2, (await new SnapshotReader(kit.Repository).ListAsync(CancellationToken.None)).Count);
        await kit.AssertEverySnapshotRestoresAsync();
    }

    [Fact]
    public async Task RunAsync_DryRun_ChangesNothingAndReportsWhatTheRealRunDoes()
    {
        var (kit, _, garbage, _) = await ForgetMiddleAsync();
        var gc = kit.Collector();
        kit.PassGrace();
        await gc.RunAsync(false, null, CancellationToken.None);
        await gc.RunAsync(false, null, CancellationToken.None);
        kit.PassGrace();
        var before = kit.Store.Snapshot();

        var dry = await gc.RunAsync(true, null, CancellationToken.None);

        Assert.Equal(before.Keys, kit.Store.Paths);
        Assert.All(before, kv => Assert.Equal(kv.Value, kit.Store.TryGet(kv.Key)));
        var real = await gc.RunAsync(false, null, CancellationToken.None);
        Assert.True(dry.DryRun);
        Assert.Equal(garbage.Count, dry.Deleted.Total);
        Assert.Equal(real with { DryRun = true, MarkWritten = null, MarksDeleted = 0 }, dry);
    }

    [Fact]
    public async Task RunAsync_Max_DeletesAtMostThatManyAndTheRestLater()
    {
        var (kit, _, garbage, _) = await ForgetMiddleAsync();
        var gc = kit.Collector();
        kit.PassGrace();
        await gc.RunAsync(false, null, CancellationToken.None);
        await gc.RunAsync(false, null, CancellationToken.None);
        kit.PassGrace();

        var limited = await gc.RunAsync(false, 2, CancellationToken.None);
        Assert.Equal((1, 1, 0), (limited.Deleted.Indexes, limited.Deleted.Packs, limited.Deleted.Trees)); // an index with its pack
        Assert.Equal(2, limited.Marked.Trees);
        await gc.RunAsync(false, null, CancellationToken.None);
        kit.PassGrace();
        await gc.RunAsync(false, null, CancellationToken.None);

        Assert.DoesNotContain(kit.Store.Paths, garbage.Contains);
        await kit.AssertEverySnapshotRestoresAsync();
    }

    [Fact]
    public async Task SnapshotAsync_ContentOfAMarkedPack_IsStoredAgainSoTheNewSnapshotSurvivesTheSweep()
    {
        var (kit, _, garbage, _) = await ForgetMiddleAsync();
        var gc = kit.Collector();
        kit.PassGrace();
        await gc.RunAsync(false, null, CancellationToken.None);
        await gc.RunAsync(false, null, CancellationToken.None);
        var markedPack = garbage.Single(p => p.StartsWith(RepositoryLayout.PacksFolder, StringComparison.Ordinal));
        var writerRepository = await SnapshotRepository.OpenAsync(kit.Store, CancellationToken.None);
        Assert.True(writerRepository.Content.IsMarked(markedPack));

        // b's chunks are in the marked pack only: the writer must not reference it, so it writes the same pack again.
        kit.Clock.Advance(TimeSpan.FromMinutes(5));
        var again = await kit.SnapshotAsync(GcKit.Files(("b", B)), "run-4", writerRepository);
        Assert.Equal(kit.Clock.GetUtcNow(), kit.Store.TryGetInfo(markedPack)!.LastModified);
        Assert.False(writerRepository.Content.IsMarked(markedPack));

        kit.PassGrace();
        await gc.RunAsync(false, null, CancellationToken.None);
        kit.PassGrace();
        await gc.RunAsync(false, null, CancellationToken.None);
        await gc.RunAsync(false, null, CancellationToken.None);

        Assert.Contains(markedPack, kit.Store.Paths);
        Assert.Contains(again.Id, (await new SnapshotReader(kit.Repository).ListAsync(CancellationToken.None)).Select(s => s.Id));
        await kit.AssertEverySnapshotRestoresAsync();
    }

    [Fact]
    public async Task RefreshAsync_AfterTheSweepDeletedAnIndex_ForgetsItsChunks()
    {
        var (kit, _, _, _) = await ForgetMiddleAsync();
        var writerRepository = await SnapshotRepository.OpenAsync(kit.Store, CancellationToken.None);
        var bChunk = (await ChunkIdsAsync(B))[0];
        Assert.True(writerRepository.Content.Contains(bChunk));
        var gc = kit.Collector();
        kit.PassGrace();
        await gc.RunAsync(false, null, CancellationToken.None);
        await gc.RunAsync(false, null, CancellationToken.None);
        kit.PassGrace();
        await gc.RunAsync(false, null, CancellationToken.None);

        await writerRepository.Content.RefreshAsync(CancellationToken.None);

        Assert.False(writerRepository.Content.Contains(bChunk));
        Assert.False(writerRepository.Content.TryLocate(bChunk, out _));
    }

    [Fact]
    public void GcSafety_OneCycleOrNegativeTimes_IsAProblem()
    {
        Assert.Null(GcSafety.Default.Problem());
        Assert.Contains("2 cycles", (GcSafety.Default with { CyclesBeforeDelete = 1 }).Problem(), StringComparison.Ordinal);
        Assert.NotNull((GcSafety.Default with { MinimumAge = TimeSpan.FromSeconds(-1) }).Problem());
        Assert.NotNull((GcSafety.Default with { ClockSkewMargin = TimeSpan.FromSeconds(-1) }).Problem());
    }

    private static async Task<List<ObjectId>> ChunkIdsAsync(byte[] content)
    {
        var ids = new List<ObjectId>();
        await foreach (var chunk in SyncFunctions.Core.Chunking.ContentChunker.ChunkAsync(new MemoryStream(content, writable: false), RepositoryKit.Chunker, CancellationToken.None))
        {
            ids.Add(ObjectId.FromBytes(chunk.Sha256));
        }

        return ids;
    }
}
