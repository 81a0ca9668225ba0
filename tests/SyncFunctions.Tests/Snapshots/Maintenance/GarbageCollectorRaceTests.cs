using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Core.Snapshots.Maintenance;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Snapshots.Maintenance;

/// <summary>
/// A snapshot writer and the collector interleaved: before each of the writer's writes (packs, indexes, trees, record,
/// head) a seeded random scheduler may run collector steps (plan, mark, sweep with the last plan, forget a snapshot,
/// advance the clock). The clock moves at most <see cref="GcSafety.MinimumAge"/> during one writer session (the
/// writer's side of the safety contract). After every interleaving every snapshot record restores. The second test
/// adds compaction steps (plan, execute the last plan, run, merge snapshot records) to the collector's.
/// </summary>
public sealed class GarbageCollectorRaceTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(4);

    private static readonly CompactOptions Compaction = CompactOptions.Default with { PackTargetLength = 1024, MergeSmallIndexesAt = 2, MergeRecordsAt = 1 };

    [Fact]
    public Task WriterAndCollector_ThousandSeededInterleavings_NoSnapshotLosesAnObject() => ThousandSeedsAsync(compact: false);

    [Fact]
    public Task WriterCollectorAndCompactor_ThousandSeededInterleavings_NoSnapshotLosesAChunkAndTheRepositoryVerifiesClean() => ThousandSeedsAsync(compact: true);

    private static async Task ThousandSeedsAsync(bool compact)
    {
        var merged = 0;
        for (var seed = 0; seed < 1000; seed++)
        {
            try
            {
                merged += await InterleaveAsync(seed, compact) ? 1 : 0;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                throw new InvalidOperationException($"seed {seed}: {e.Message}", e);
            }
        }

        // Record merges raced the writer and the collector in most interleavings with compaction (none without).
        Assert.True(compact ? merged > 500 : merged == 0, $"{merged} interleavings merged snapshot records");
    }

    /// <summary>One interleaving; true when snapshot records were merged into a record set by the end.</summary>
    private static async Task<bool> InterleaveAsync(int seed, bool compact)
    {
        var random = new Random(seed);
        var kit = await GcKit.CreateAsync();
        var pool = Enumerable.Range(0, 4).Select(i => RepositoryKit.Bytes((seed * 16) + i, 300 + random.Next(2500))).ToArray();
        await kit.SnapshotAsync(GcKit.Files(("p0", pool[0]), ("p1", pool[1])), "base-1");
        await kit.SnapshotAsync(GcKit.Files(("p0", pool[0]), ("p2", pool[2])), "base-2");
        kit.PassGrace();

        var gcRepository = await SnapshotRepository.OpenAsync(kit.Store, CancellationToken.None);
        var gc = kit.Collector(gcRepository);
        var writerRepository = await SnapshotRepository.OpenAsync(kit.Store, CancellationToken.None);
        var compactor = compact
            ? new RepositoryCompactor(await SnapshotRepository.OpenAsync(kit.Store, CancellationToken.None), kit.Clock, GcKit.Safety, Compaction)
            : null;
        var scheduler = new Scheduler(random, kit, gc, compactor);
        kit.Store.BeforeOperation = (op, _, _) => op == InMemoryObjectStore.Ops.Write ? scheduler.MaybeRunCollectorAsync() : Task.CompletedTask;

        for (var session = 0; session < 3; session++)
        {
            await scheduler.RunCollectorStepsAsync(random.Next(12));
            await writerRepository.Content.RefreshAsync(CancellationToken.None);
            scheduler.BeginWriter();
            var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var i in Enumerable.Range(0, pool.Length).Where(_ => random.Next(2) == 0))
            {
                files["f" + i] = pool[i];
            }

            files["new" + session] = RepositoryKit.Bytes((seed * 16) + 8 + session, 200 + random.Next(2000));
            await kit.SnapshotAsync(files, $"race-{session}", writerRepository, packTarget: 1024);
            scheduler.EndWriter();
        }

        await scheduler.RunCollectorStepsAsync(random.Next(6));
        kit.Store.BeforeOperation = null;
        await kit.AssertEverySnapshotRestoresAsync();

        // Let every due deletion happen, then check again.
        for (var i = 0; i < 3; i++)
        {
            kit.PassGrace();
            if (compactor is not null)
            {
                await compactor.RunAsync(false, null, CancellationToken.None);
                await new SnapshotRecordMerger(kit.Repository, Compaction).RunAsync(false, CancellationToken.None);
            }

            await gc.RunAsync(false, null, CancellationToken.None);
        }

        await kit.AssertEverySnapshotRestoresAsync();

        // Heads included: forget keeps a record not older than its pair's head (its head move may be in flight).
        var report = await new RepositoryVerifier(kit.Store).VerifyAsync(new VerifyOptions(), null, CancellationToken.None);
        Assert.True(report.Problems.Count == 0, $"seed {seed}: " + string.Join("; ", report.Problems.Select(p => $"{p.Object}: {p.Damage} {p.Detail}")));
        return report.RecordSets > 0;
    }

    private sealed class Scheduler(Random random, GcKit kit, GarbageCollector gc, RepositoryCompactor? compactor)
    {
        private bool _inCollector;
        private DateTimeOffset? _writerStarted;
        private GcPlan? _plan;
        private CompactPlan? _compactPlan;

        public void BeginWriter() => _writerStarted = kit.Clock.GetUtcNow();

        public void EndWriter() => _writerStarted = null;

        public Task MaybeRunCollectorAsync() =>
            _inCollector || random.Next(3) != 0 ? Task.CompletedTask : RunCollectorStepsAsync(1 + random.Next(3));

        public async Task RunCollectorStepsAsync(int steps)
        {
            _inCollector = true;
            try
            {
                for (var i = 0; i < steps; i++)
                {
                    await StepAsync();
                }
            }
            finally
            {
                _inCollector = false;
            }
        }

        private async Task StepAsync()
        {
            switch (random.Next(compactor is null ? 7 : 11))
            {
                case 10:
                    await new SnapshotRecordMerger(await SnapshotRepository.OpenAsync(kit.Store, CancellationToken.None), Compaction).RunAsync(false, CancellationToken.None);
                    break;
                case 7:
                    _compactPlan = await compactor!.PlanAsync(null, CancellationToken.None);
                    break;
                case 8 when _compactPlan is not null:
                    try
                    {
                        await compactor!.ExecuteAsync(_compactPlan, null, CancellationToken.None);
                    }
                    catch (SnapshotRepositoryException e) when (e.Message.Contains("older than the minimum age", StringComparison.Ordinal))
                    {
                        // The clock passed the compactor's time limit: it plans again, as RunAsync would.
                    }

                    _compactPlan = null;
                    break;
                case 9:
                    await compactor!.RunAsync(false, null, CancellationToken.None);
                    break;
                case 0:
                    _plan = await gc.PlanAsync(null, CancellationToken.None);
                    break;
                case 1 when _plan is not null:
                    await gc.MarkAsync(_plan, CancellationToken.None);
                    break;
                case 2 when _plan is not null:
                    await gc.SweepAsync(_plan, CancellationToken.None);
                    break;
                case 3:
                    await gc.RunAsync(false, null, CancellationToken.None);
                    break;
                case 4 or 5:
                    await ForgetOneAsync();
                    break;
                default:
                    // A writer in flight finishes within the minimum age of its refresh: the contract GC relies on.
                    if (_writerStarted is not { } started)
                    {
                        kit.Clock.Advance(random.Next(2) == 0 ? Step : GcKit.Safety.Grace);
                    }
                    else if (kit.Clock.GetUtcNow() + Step - started <= GcKit.Safety.MinimumAge)
                    {
                        kit.Clock.Advance(Step);
                    }

                    break;
            }
        }

        private async Task ForgetOneAsync()
        {
            var repository = await SnapshotRepository.OpenAsync(kit.Store, CancellationToken.None);
            var forgetter = new SnapshotForgetter(repository, kit.Clock);
            var plan = await forgetter.PlanAsync(new RetentionPolicy(1, null, null, null, null), TimeZoneInfo.Utc, CancellationToken.None);
            if (plan.Remove.Count > 0)
            {
                var victim = plan.Remove[random.Next(plan.Remove.Count)];
                await forgetter.ApplyAsync(new RetentionPlan([], [victim]), CancellationToken.None);
            }
        }
    }
}
