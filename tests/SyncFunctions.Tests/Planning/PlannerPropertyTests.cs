using CsCheck;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Planning;

namespace SyncFunctions.Tests.Planning;

/// <summary>Properties of the planner over random (source, baseline, destination) triples.</summary>
public sealed class PlannerPropertyTests
{
    private const int Iterations = 400;

    [Fact]
    public async Task PlanAsync_RandomTriples_OutputIsStrictlyOrderedWithOneItemPerPath()
    {
        await PlannerModel.ScenarioGen.SampleAsync(async scenario =>
        {
            var world = PlannerModel.Build(scenario);

            var plan = await PlanAsync(world);

            var paths = plan.Select(i => i.Path).ToList();
            Assert.All(plan, i => Assert.True(i.Action is null != (i.Skipped is null)));
            Assert.All(paths.Zip(paths.Skip(1)), pair => Assert.True(string.CompareOrdinal(pair.First, pair.Second) < 0, $"'{pair.First}' then '{pair.Second}'"));
        }, iter: Iterations);
    }

    [Fact]
    public async Task PlanAsync_RandomTriples_ActionsMatchWhatEachSideHolds()
    {
        await PlannerModel.ScenarioGen.SampleAsync(async scenario =>
        {
            var world = PlannerModel.Build(scenario);

            var plan = await PlanAsync(world);

            foreach (var item in plan)
            {
                var path = item.Path;
                if (world.Skipped.Contains(path))
                {
                    Assert.Null(item.Action);
                    continue;
                }

                var action = item.Action!;
                switch (action.Kind)
                {
                    case ActionKind.Delete:
                        Assert.True(world.Baseline.ContainsKey(path) && !world.Source.ContainsKey(path), $"delete of '{path}'");
                        Assert.Equal(world.Baseline[path].DestETag, action.ExpectedDestETag);
                        break;
                    case ActionKind.Upload:
                        Assert.True(world.Source.ContainsKey(path), $"upload of '{path}'");
                        break;
                    case ActionKind.UpdateBaseline:
                        Assert.True(world.Source.ContainsKey(path) && world.Baseline.ContainsKey(path), $"baseline update of '{path}'");
                        break;
                }
            }

            var skippedItems = plan.Where(i => i.Skipped is not null).Select(i => i.Path);
            Assert.Equal(world.Skipped, skippedItems);
            Assert.DoesNotContain(plan, i => i.Action is not null && !world.Source.ContainsKey(i.Path) && !world.Baseline.ContainsKey(i.Path));
        }, iter: Iterations);
    }

    [Fact]
    public async Task PlanAsync_AppliedToModel_DestinationEqualsSourceExceptConflicts()
    {
        await PlannerModel.ScenarioGen.SampleAsync(async scenario =>
        {
            var world = PlannerModel.Build(scenario);
            var before = new Dictionary<string, DestObject>(world.Destination, StringComparer.Ordinal);
            var baselineBefore = new Dictionary<string, BaselineEntry>(world.Baseline, StringComparer.Ordinal);

            var conflicts = world.Apply(await PlanAsync(world));

            foreach (var path in PlannerModel.Names)
            {
                if (conflicts.Contains(path) || world.Skipped.Contains(path) || (!world.Source.ContainsKey(path) && !baselineBefore.ContainsKey(path)))
                {
                    continue;
                }

                int? expected = world.SourceContent.TryGetValue(path, out var c) ? c : null;
                int? actual = world.Destination.TryGetValue(path, out var d) ? d.Content : null;
                Assert.True(expected == actual, $"'{path}': source {expected}, destination {actual}");
            }

            // A conflict only ever comes from a destination that someone else changed.
            Assert.All(conflicts, path => Assert.True(
                baselineBefore.TryGetValue(path, out var b) ? before.TryGetValue(path, out var d) && d.ETag != b.DestETag : before.ContainsKey(path),
                $"spurious conflict at '{path}'"));
        }, iter: Iterations);
    }

    [Fact]
    public async Task PlanAsync_ReplanAfterApplying_PlansOnlyConflictsAndSkips()
    {
        await PlannerModel.ScenarioGen.SampleAsync(async scenario =>
        {
            var world = PlannerModel.Build(scenario);
            var conflicts = world.Apply(await PlanAsync(world));

            var second = await PlanAsync(world);

            Assert.All(second.Where(i => i.Action is not null), i => Assert.Contains(i.Path, conflicts));
        }, iter: Iterations);
    }

    [Fact]
    public async Task PlanAsync_SourceDuplicatedOrSwapped_ThrowsOutOfOrder()
    {
        var gen = Gen.Select(Gen.Int[0, 2], Gen.Int[0, PlannerModel.Names.Length - 2], Gen.Bool);
        await gen.SampleAsync(async (stream, index, duplicate) =>
        {
            var names = PlannerModel.Names.ToList();
            if (duplicate)
            {
                names.Insert(index, names[index]);
            }
            else
            {
                (names[index], names[index + 1]) = (names[index + 1], names[index]);
            }

            var broken = names.Select(n => ListingEntry.Of(new ObjectInfo(n, 1, default, "v"))).ToList();
            var intact = PlannerModel.Names.Select(n => ListingEntry.Of(new ObjectInfo(n, 1, default, "v"))).ToList();
            var baseline = (stream == 1 ? names : PlannerModel.Names.ToList()).Select(n => new BaselineEntry { PairId = "p", Path = n }).ToList();

            var plan = Planner.PlanAsync(
                (stream == 0 ? broken : intact).ToAsyncEnumerable(),
                baseline.ToAsyncEnumerable(),
                (stream == 2 ? broken : intact).ToAsyncEnumerable(),
                CancellationToken.None);

            var error = await Assert.ThrowsAsync<OutOfOrderException>(async () => await plan.ToListAsync());
            Assert.Equal(new[] { "source", "baseline", "destination" }[stream], error.Stream);
        }, iter: 100);
    }

    private static async Task<List<PlanItem>> PlanAsync(PlannerWorld world) =>
        await Planner.PlanAsync(
            world.SourceListing().ToAsyncEnumerable(),
            world.Baseline.Values.ToAsyncEnumerable(),
            world.DestinationListing()?.ToAsyncEnumerable(),
            CancellationToken.None).ToListAsync();
}
