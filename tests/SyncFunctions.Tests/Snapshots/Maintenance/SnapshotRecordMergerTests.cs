using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Core.Snapshots.Maintenance;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Snapshots.Maintenance;

/// <summary>Compaction of snapshot records into record sets: nothing lost, heads left alone, readers never miss one.</summary>
public sealed class SnapshotRecordMergerTests
{
    private static readonly SnapshotPair OtherPair = new("pair-2", "photos");

    [Fact]
    public async Task Execute_EighteenRecords_MergesAllButTheHeadIntoOneSet_AndListingRestoreVerifyAndGcSeeTheSame()
    {
        var kit = await GcKit.CreateAsync();
        var snapshots = await WriteAsync(kit, 18);
        var before = await ListAsync(kit);

        var plan = await Merger(kit).PlanAsync(null, CancellationToken.None);
        var report = await Merger(kit).ExecuteAsync(plan, CancellationToken.None);

        Assert.Equal(new RecordMergeReport(false, 18, 17, 0, 1, 1), report);
        Assert.Equal([RepositoryLayout.SnapshotPath(snapshots[^1].Id)], Paths(kit, RepositoryLayout.SnapshotsFolder));
        var set = Assert.Single(Paths(kit, RepositoryLayout.RecordSetsFolder));
        Assert.Equal(snapshots[..^1].Select(s => s.Id).Order(), Decode(kit, set).Records.Select(r => r.Id));
        Assert.Equal(before, await ListAsync(kit));
        await kit.AssertEverySnapshotRestoresAsync();
        var verified = await new RepositoryVerifier(kit.Store).VerifyAsync(new VerifyOptions(), null, CancellationToken.None);
        Assert.Empty(verified.Problems);
        Assert.Equal((18, 1), (verified.Snapshots, verified.RecordSets));
        kit.PassGrace();
        var gc = await kit.Collector().PlanAsync(null, CancellationToken.None);
        Assert.Equal(18, gc.Snapshots);
        Assert.DoesNotContain(gc.Candidates, c => c.Kind != RepositoryObjectKind.Index);
        Assert.Equal(snapshots[0].Record, await new SnapshotReader(kit.Repository).GetAsync(snapshots[0].Id, CancellationToken.None));
    }

    [Fact]
    public async Task Plan_FewerRecordsThanTheThreshold_MergesNothing_AndASecondMergeReplacesTheFirstSet()
    {
        var kit = await GcKit.CreateAsync();
        await WriteAsync(kit, 5);

        Assert.Empty((await Merger(kit, 16).PlanAsync(null, CancellationToken.None)).Pairs);

        await Merger(kit, 4).RunAsync(false, CancellationToken.None);
        var first = Assert.Single(Paths(kit, RepositoryLayout.RecordSetsFolder));
        await WriteAsync(kit, 5, from: 5);
        var report = await Merger(kit, 4).RunAsync(false, CancellationToken.None);

        // The four new records and the former head.
        Assert.Equal((5, 1, 1), (report.RecordsMerged, report.SetsReplaced, report.SetsWritten));
        var second = Assert.Single(Paths(kit, RepositoryLayout.RecordSetsFolder));
        Assert.NotEqual(first, second);
        Assert.Equal(9, Decode(kit, second).Records.Count);
        Assert.Equal(10, (await ListAsync(kit)).Count);
    }

    /// <summary>A merge that stopped after writing its set: the records are both alone and in the set, counted once; the next merge finishes.</summary>
    [Fact]
    public async Task Execute_AfterACrashBetweenTheSetAndTheDeletes_CountsEachRecordOnce_AndTheNextMergeCleansUp()
    {
        var kit = await GcKit.CreateAsync();
        var snapshots = await WriteAsync(kit, 6);
        var plan = await Merger(kit, 2).PlanAsync(null, CancellationToken.None);
        var set = new SnapshotRecordSet(plan.Pairs[0].Records).Encode();
        kit.Store.Put(RepositoryLayout.RecordSetPath(set.Id), set.Bytes);

        Assert.Equal(snapshots.Select(s => s.Id).Order(), (await ListAsync(kit)).Select(s => s.Id).Order());
        var report = await Merger(kit, 2).RunAsync(false, CancellationToken.None);

        Assert.Equal((5, 1, 0), (report.RecordsMerged, report.SetsReplaced, report.SetsWritten));
        Assert.Equal([RepositoryLayout.RecordSetPath(set.Id)], Paths(kit, RepositoryLayout.RecordSetsFolder));
        Assert.Single(Paths(kit, RepositoryLayout.SnapshotsFolder));
        Assert.Equal(6, (await ListAsync(kit)).Count);
    }

    [Fact]
    public async Task Plan_TwoPairs_OneSetEach_AndARecordInFlightStaysAlone()
    {
        var kit = await GcKit.CreateAsync();
        await WriteAsync(kit, 4);
        await WriteAsync(kit, 4, pair: OtherPair);

        // A record written whose head move has not happened: its parent is the head, so it may become the head.
        var headPath = RepositoryLayout.HeadPath(RepositoryKit.Pair.Id);
        var head = kit.Store.TryGet(headPath)!;
        var inFlight = (await WriteAsync(kit, 1, from: 10))[0];
        kit.Store.Put(headPath, head);

        var report = await Merger(kit, 2).RunAsync(false, CancellationToken.None);

        Assert.Equal((6, 2, 3), (report.RecordsMerged, report.SetsWritten, report.KeptAlone));
        var sets = Paths(kit, RepositoryLayout.RecordSetsFolder).Select(p => Decode(kit, p)).ToList();
        Assert.Equal([RepositoryKit.Pair.Id, OtherPair.Id], sets.Select(s => s.PairId).Order(StringComparer.Ordinal));
        Assert.Contains(RepositoryLayout.SnapshotPath(inFlight.Id), kit.Store.Paths);
        Assert.Equal(9, (await ListAsync(kit)).Count);
    }

    [Fact]
    public async Task Forget_ARecordInASet_ReplacesTheSetWithOneWithoutIt()
    {
        var kit = await GcKit.CreateAsync();
        var snapshots = await WriteAsync(kit, 6);
        await Merger(kit, 2).RunAsync(false, CancellationToken.None);
        var old = Assert.Single(Paths(kit, RepositoryLayout.RecordSetsFolder));
        var forgetter = new SnapshotForgetter(kit.Repository, kit.Clock);

        var plan = await forgetter.PlanAsync(new RetentionPolicy(3, null, null, null, null), null, CancellationToken.None);
        var result = await forgetter.ApplyAsync(plan, CancellationToken.None);

        Assert.Equal(new ForgetResult(3, 0), result);
        var replacement = Assert.Single(Paths(kit, RepositoryLayout.RecordSetsFolder));
        Assert.NotEqual(old, replacement);
        Assert.Equal(snapshots[3..5].Select(s => s.Id).Order(), Decode(kit, replacement).Records.Select(r => r.Id));
        Assert.Equal(snapshots[3..].Select(s => s.Id), (await ListAsync(kit)).Select(s => s.Id));

        // Forgetting every record of a set deletes it.
        var all = await forgetter.ApplyAsync(await forgetter.PlanAsync(new RetentionPolicy(1, null, null, null, null), null, CancellationToken.None), CancellationToken.None);
        Assert.Equal(2, all.Deleted);
        Assert.Empty(Paths(kit, RepositoryLayout.RecordSetsFolder));
        Assert.Equal([snapshots[^1].Id], (await ListAsync(kit)).Select(s => s.Id));
    }

    /// <summary>
    /// A merge that replaces two sets and merges the records alone runs before each store operation of a reader's
    /// listing in turn: the reader finds every snapshot every time (records alone are read before sets, and a set or
    /// record that vanished makes the sets be listed again).
    /// </summary>
    [Fact]
    public async Task Catalog_AMergeBeforeAnyOperationOfTheListing_NeverLosesARecord()
    {
        for (var at = 0; ; at++)
        {
            var kit = await GcKit.CreateAsync();
            await WriteAsync(kit, 8);
            await Merger(kit, 2).RunAsync(false, CancellationToken.None);
            var loose = await WriteAsync(kit, 5, from: 8);
            var crashed = new SnapshotRecordSet(loose.Take(3)).Encode();
            kit.Store.Put(RepositoryLayout.RecordSetPath(crashed.Id), crashed.Bytes);
            var expected = (await ListAsync(kit)).Select(s => s.Id).ToList();
            Assert.Equal(2, Paths(kit, RepositoryLayout.RecordSetsFolder).Count);

            var operation = 0;
            var merged = false;
            kit.Store.BeforeOperation = async (op, path, ct) =>
            {
                if (operation++ == at && !merged)
                {
                    merged = true;
                    kit.Store.BeforeOperation = null;
                    await Merger(kit, 1).RunAsync(false, ct);
                }
            };

            var listed = (await new SnapshotReader(kit.Repository).ListAsync(CancellationToken.None)).Select(s => s.Id).ToList();
            kit.Store.BeforeOperation = null;

            Assert.True(expected.SequenceEqual(listed), $"a merge before operation {at} of the listing lost a snapshot");
            if (!merged)
            {
                // Two listings, six records alone and two sets read: every point of the listing was tried.
                Assert.Equal(10, at);
                return;
            }

            Assert.Single(Paths(kit, RepositoryLayout.RecordSetsFolder));
        }
    }

    [Fact]
    public async Task Verify_ADamagedSet_IsNamed_AndAHeadNamingOnlyAMergedRecordIsFine()
    {
        var kit = await GcKit.CreateAsync();
        await WriteAsync(kit, 4);
        await Merger(kit, 2).RunAsync(false, CancellationToken.None);
        var path = Assert.Single(Paths(kit, RepositoryLayout.RecordSetsFolder));
        var bytes = kit.Store.TryGet(path)!;
        bytes[^3] ^= 0x40;
        kit.Store.Put(path, bytes);

        var report = await new RepositoryVerifier(kit.Store).VerifyAsync(new VerifyOptions(), null, CancellationToken.None);

        var problem = Assert.Single(report.Problems);
        Assert.Equal((path, FormatDamage.HashMismatch), (problem.Object, problem.Damage));
        await Assert.ThrowsAsync<RepositoryFormatException>(() => ListAsync(kit));
    }

    private static SnapshotRecordMerger Merger(GcKit kit, int mergeAt = 16) => new(kit.Repository, CompactOptions.Default with { MergeRecordsAt = mergeAt });

    private static async Task<List<StoredSnapshot>> WriteAsync(GcKit kit, int count, int from = 0, SnapshotPair? pair = null)
    {
        var written = new List<StoredSnapshot>();
        for (var i = from; i < from + count; i++)
        {
            kit.Clock.Advance(TimeSpan.FromHours(1));
            var writer = kit.Repository.Content.NewWriter(RepositoryKit.PackTarget);
            var files = GcKit.Files(("f", RepositoryKit.Bytes(i, 2000)));
            var chunked = await RepositoryKit.ChunkAsync(kit.Repository, writer, files);
            var snapshot = await new SnapshotWriter(kit.Repository, kit.Clock).WriteAsync(RepositoryKit.ToAsync(chunked), RepositoryKit.Info($"run-{i}", pair), CancellationToken.None);
            kit.Expected[snapshot.Id] = files;
            written.Add(snapshot);
        }

        return written;
    }

    private static Task<IReadOnlyList<StoredSnapshot>> ListAsync(GcKit kit) => new SnapshotReader(kit.Repository).ListAsync(CancellationToken.None);

    private static List<string> Paths(GcKit kit, string folder) =>
        [.. kit.Store.Paths.Where(p => p.StartsWith(folder, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    private static SnapshotRecordSet Decode(GcKit kit, string path)
    {
        RepositoryLayout.TryParse(path, out var parsed);
        return SnapshotRecordSet.Decode(parsed.Id, kit.Store.TryGet(path)!);
    }
}
