using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Core.Snapshots.Maintenance;

namespace SyncFunctions.Tests.Snapshots.Maintenance;

/// <summary>Forgetting in a repository: records only, heads never.</summary>
public sealed class SnapshotForgetterTests
{
    [Fact]
    public async Task ApplyAsync_KeepLastOne_DeletesTheOlderRecordsOnlyAndKeepsTheHead()
    {
        var kit = await GcKit.CreateAsync();
        var snapshots = new List<StoredSnapshot>();
        for (var i = 0; i < 3; i++)
        {
            kit.Clock.Advance(TimeSpan.FromHours(1));
            snapshots.Add(await kit.SnapshotAsync(GcKit.Files(("f", RepositoryKit.Bytes(i, 3000))), $"run-{i}"));
        }

        var forgetter = new SnapshotForgetter(kit.Repository, kit.Clock);
        var trees = kit.Store.Paths.Count(p => p.StartsWith(RepositoryLayout.TreesFolder, StringComparison.Ordinal));

        var plan = await forgetter.PlanAsync(new RetentionPolicy(1, null, null, null, null), null, CancellationToken.None);
        var result = await forgetter.ApplyAsync(plan, CancellationToken.None);

        Assert.Equal([snapshots[2].Id], plan.Keep.Select(k => k.Snapshot.Id));
        Assert.Equal(RetentionReason.Last | RetentionReason.Head, plan.Keep[0].Reasons);
        Assert.Equal(new ForgetResult(2, 0), result);
        Assert.Equal([snapshots[2].Id], (await new SnapshotReader(kit.Repository).ListAsync(CancellationToken.None)).Select(s => s.Id));
        Assert.Equal(trees, kit.Store.Paths.Count(p => p.StartsWith(RepositoryLayout.TreesFolder, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ApplyAsync_PlanRemovingWhatIsNowTheHead_KeepsIt()
    {
        var kit = await GcKit.CreateAsync();
        var head = await kit.SnapshotAsync(GcKit.Files(("f", RepositoryKit.Bytes(1, 3000))), "run-1");

        var result = await new SnapshotForgetter(kit.Repository, kit.Clock).ApplyAsync(new RetentionPlan([], [head]), CancellationToken.None);

        Assert.Equal(new ForgetResult(0, 1), result);
        Assert.Contains(RepositoryLayout.SnapshotPath(head.Id), kit.Store.Paths);
    }

    /// <summary>
    /// A record written whose head move has not happened yet (its parent is the head) is a snapshot in flight: kept,
    /// even when the plan removes it; a record whose parent is not the head can never become it and goes.
    /// </summary>
    [Fact]
    public async Task ApplyAsync_RecordWhoseParentIsTheHead_IsKeptAsInFlight_OthersGo()
    {
        var kit = await GcKit.CreateAsync();
        var first = await kit.SnapshotAsync(GcKit.Files(("f", RepositoryKit.Bytes(1, 3000))), "run-1");
        var head = await kit.SnapshotAsync(GcKit.Files(("f", RepositoryKit.Bytes(2, 3000))), "run-2");
        var headPath = RepositoryLayout.HeadPath(RepositoryKit.Pair.Id);
        var headBytes = kit.Store.TryGet(headPath)!;
        var inFlight = await kit.SnapshotAsync(GcKit.Files(("f", RepositoryKit.Bytes(3, 3000))), "run-3");
        kit.Store.Put(headPath, headBytes);

        var result = await new SnapshotForgetter(kit.Repository, kit.Clock).ApplyAsync(new RetentionPlan([], [first, inFlight]), CancellationToken.None);

        Assert.Equal(head.Id, inFlight.Record.Parent);
        Assert.Equal(new ForgetResult(1, 0, 1), result);
        Assert.DoesNotContain(RepositoryLayout.SnapshotPath(first.Id), kit.Store.Paths);
        Assert.Contains(RepositoryLayout.SnapshotPath(inFlight.Id), kit.Store.Paths);
    }
}
