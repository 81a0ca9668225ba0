using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Core.Snapshots.Maintenance;

namespace SyncFunctions.Tests.Snapshots.Maintenance;

/// <summary>Repositories where forget left a pack half dead, for the compaction tests.</summary>
internal static class CompactKit
{
    public static readonly byte[] A = RepositoryKit.Bytes(11, 20_000);
    public static readonly byte[] B = RepositoryKit.Bytes(12, 15_000);
    public static readonly byte[] C = RepositoryKit.Bytes(13, 12_000);

    /// <summary>The compactor's options in the tests: the defaults with small packs.</summary>
    public static readonly CompactOptions Options = CompactOptions.Default with { PackTargetLength = RepositoryKit.PackTarget };

    public static RepositoryCompactor Compactor(GcKit kit, CompactOptions? options = null, SnapshotRepository? repository = null) =>
        new(repository ?? kit.Repository, kit.Clock, GcKit.Safety, options ?? Options);

    /// <summary>s1 {a, b} (one pack), s2 {a, c} (c's pack; a deduplicated), then s1 forgotten: s1's pack is about half dead. Past the grace.</summary>
    public static async Task<(GcKit Kit, string HalfDeadPack)> HalfDeadAsync()
    {
        var kit = await GcKit.CreateAsync();
        var s1 = await kit.SnapshotAsync(GcKit.Files(("a", A), ("b", B)), "run-1");
        var pack = kit.Store.Paths.Single(p => p.StartsWith(RepositoryLayout.PacksFolder, StringComparison.Ordinal));
        await kit.SnapshotAsync(GcKit.Files(("a", A), ("c", C)), "run-2");
        await new SnapshotForgetter(kit.Repository, kit.Clock).ApplyAsync(new RetentionPlan([], [s1]), CancellationToken.None);
        kit.Expected.Remove(s1.Id);
        kit.PassGrace();
        return (kit, pack);
    }

    /// <summary>Compacts (which marks the sparse pack), runs one GC cycle (which marks it again) and passes the grace: the pack is ready to repack.</summary>
    public static async Task MarkTwiceAsync(GcKit kit)
    {
        await Compactor(kit).RunAsync(false, null, CancellationToken.None);
        await kit.Collector().RunAsync(false, null, CancellationToken.None);
        kit.PassGrace();
    }

    /// <summary>Runs GC cycles (passing the grace before each) until one deletes nothing and marks nothing.</summary>
    public static async Task CollectUntilStableAsync(GcKit kit)
    {
        for (var i = 0; i < 8; i++)
        {
            kit.PassGrace();
            var report = await kit.Collector().RunAsync(false, null, CancellationToken.None);
            if (report.Deleted.Total == 0 && report.Marked.Total == 0)
            {
                return;
            }
        }

        Assert.Fail("GC did not settle in 8 cycles");
    }

    public static async Task AssertCleanAsync(GcKit kit)
    {
        var report = await new RepositoryVerifier(kit.Store).VerifyAsync(new VerifyOptions { ReadData = true }, null, CancellationToken.None);
        Assert.True(report.IsClean, string.Join("; ", report.Problems.Select(p => $"{p.Object}: {p.Damage} {p.Detail}")));
        await kit.AssertEverySnapshotRestoresAsync();
    }

    public static List<string> Under(GcKit kit, string folder) =>
        [.. kit.Store.Paths.Where(p => p.StartsWith(folder, StringComparison.Ordinal))];
}
