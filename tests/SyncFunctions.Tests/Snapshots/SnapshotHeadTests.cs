using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>The pair's head: parents, and two snapshots racing for it.</summary>
public sealed class SnapshotHeadTests
{
    [Fact]
    public async Task WriteAsync_SecondSnapshot_HasTheFirstAsParentAndBecomesTheHead()
    {
        var store = new InMemoryObjectStore();
        var repository = await RepositoryKit.InitAsync(store);

        var (first, _) = await RepositoryKit.SnapshotAsync(repository, new Dictionary<string, byte[]> { ["a"] = [1] });
        var (second, _) = await RepositoryKit.SnapshotAsync(repository, new Dictionary<string, byte[]> { ["a"] = [2] }, "run-2");

        Assert.Null(first.Record.Parent);
        Assert.Equal(first.Id, second.Record.Parent);
        var head = SnapshotHead.Decode(RepositoryKit.Pair.Id, store.TryGet(RepositoryLayout.HeadPath(RepositoryKit.Pair.Id))!);
        Assert.Equal(second.Id, head.Snapshot);
    }

    [Fact]
    public async Task WriteAsync_TwoSnapshotsRacingFromTheSameHead_OneWinsTheOtherConflictsAndBothAreKept()
    {
        var store = new InMemoryObjectStore();
        var repository = await RepositoryKit.InitAsync(store);
        var (baseline, _) = await RepositoryKit.SnapshotAsync(repository, new Dictionary<string, byte[]> { ["a"] = [1] });
        var slowFiles = await RepositoryKit.ChunkAsync(repository, repository.Content.NewWriter(), new Dictionary<string, byte[]> { ["a"] = [2] });
        var reachedHead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var headWrites = 0;
        store.BeforeOperation = async (op, path, _) =>
        {
            if (op == InMemoryObjectStore.Ops.Write && path.StartsWith(RepositoryLayout.HeadsFolder, StringComparison.Ordinal)
                && Interlocked.Increment(ref headWrites) == 1)
            {
                reachedHead.SetResult();
                await release.Task;
            }
        };
        var writer = new SnapshotWriter(repository, RepositoryKit.NewClock());
        var slow = writer.WriteAsync(RepositoryKit.ToAsync(slowFiles), RepositoryKit.Info("run-slow"), CancellationToken.None);
        await reachedHead.Task;

        var (fast, _) = await RepositoryKit.SnapshotAsync(repository, new Dictionary<string, byte[]> { ["a"] = [3] }, "run-fast");
        release.SetResult();
        var conflict = await Assert.ThrowsAsync<SnapshotConflictException>(() => slow);

        Assert.Equal(RepositoryKit.Pair.Id, conflict.PairId);
        Assert.Equal(fast.Id, conflict.Other);
        Assert.Contains(fast.Id.ToString(), conflict.Message, StringComparison.Ordinal);
        Assert.Contains(RepositoryKit.Pair.Id, conflict.Message, StringComparison.Ordinal);
        var listed = (await new SnapshotReader(repository).ListAsync(CancellationToken.None)).Select(s => s.Id).ToHashSet();
        Assert.Equal(new HashSet<ObjectId> { baseline.Id, fast.Id, conflict.Snapshot }, listed);
        var lost = await new SnapshotReader(repository).GetAsync(conflict.Snapshot, CancellationToken.None);
        Assert.Equal(baseline.Id, lost.Parent);
        Assert.Equal(baseline.Id, fast.Record.Parent);
        var head = SnapshotHead.Decode(RepositoryKit.Pair.Id, store.TryGet(RepositoryLayout.HeadPath(RepositoryKit.Pair.Id))!);
        Assert.Equal(fast.Id, head.Snapshot);
    }

    [Fact]
    public async Task WriteAsync_HeadNamesASnapshotOfTheSameRun_ReturnsItAndWritesNothing()
    {
        var store = new InMemoryObjectStore();
        var repository = await RepositoryKit.InitAsync(store);
        var (first, _) = await RepositoryKit.SnapshotAsync(repository, new Dictionary<string, byte[]> { ["a"] = [1] });
        var snapshots = store.Paths.Count(p => p.StartsWith(RepositoryLayout.SnapshotsFolder, StringComparison.Ordinal));

        var (retried, _) = await RepositoryKit.SnapshotAsync(repository, new Dictionary<string, byte[]> { ["a"] = [1], ["b"] = [2] });

        Assert.Equal(first, retried);
        Assert.Equal(snapshots, store.Paths.Count(p => p.StartsWith(RepositoryLayout.SnapshotsFolder, StringComparison.Ordinal)));
    }
}
