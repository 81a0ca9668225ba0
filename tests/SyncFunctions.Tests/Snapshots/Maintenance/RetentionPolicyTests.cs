using CsCheck;
using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Core.Snapshots.Maintenance;

namespace SyncFunctions.Tests.Snapshots.Maintenance;

/// <summary>The retention policy's plan: properties over random snapshot histories, and restic's semantics on examples.</summary>
public sealed class RetentionPolicyTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Gen<int?> Count = Gen.Frequency((1, Gen.Const((int?)null)), (3, Gen.Int[0, 5].Select(n => (int?)n)));

    private static readonly Gen<RetentionPolicy> Policy = Gen.Select(Count, Count, Count, Count, Count)
        .Select((l, h, d, w, m) => new RetentionPolicy(l, h, d, w, m))
        .Where(p => p.Problem() is null);

    /// <summary>Snapshots of up to three pairs at random minutes over about 100 days, and one head per pair.</summary>
    private static readonly Gen<(List<StoredSnapshot> Snapshots, List<ObjectId> Heads)> History =
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 144_000]).Array[1, 30].Select(items =>
        {
            var snapshots = items.Select((x, i) => Snapshot($"pair-{x.Item1}", Start.AddMinutes(x.Item2), i)).ToList();
            var heads = snapshots.GroupBy(s => s.Record.Pair.Id).Select(g => g.MaxBy(s => s.Record.Time)!.Id).ToList();
            return (snapshots, heads);
        });

    [Fact]
    public void Plan_AnyHistory_KeptAndRemovedPartitionTheSnapshots() => Gen.Select(Policy, History).Sample((policy, history) =>
    {
        var plan = policy.Plan(history.Snapshots, TimeZoneInfo.Utc, history.Heads);

        var all = plan.Keep.Select(k => k.Snapshot.Id).Concat(plan.Remove.Select(r => r.Id)).ToList();
        Assert.Equal(history.Snapshots.Select(s => s.Id).Order(), all.Order());
        Assert.All(plan.Keep, k => Assert.NotEqual(RetentionReason.None, k.Reasons));
    }, iter: 300);

    [Fact]
    public void Plan_AnyHistory_HeadsAreKept() => Gen.Select(Policy, History).Sample((policy, history) =>
    {
        var plan = policy.Plan(history.Snapshots, TimeZoneInfo.Utc, history.Heads);

        Assert.All(history.Heads, h => Assert.Contains(plan.Keep, k => k.Snapshot.Id == h && k.Reasons.HasFlag(RetentionReason.Head)));
    }, iter: 300);

    [Fact]
    public void Plan_KeepLastN_KeepsExactlyTheNNewestOfEachPairByThatRule() => Gen.Select(Gen.Int[0, 6], History).Sample((n, history) =>
    {
        var plan = new RetentionPolicy(n, null, null, null, null).Plan(history.Snapshots, TimeZoneInfo.Utc);

        foreach (var pair in history.Snapshots.GroupBy(s => s.Record.Pair.Id))
        {
            var newest = pair.OrderByDescending(s => s.Record.Time).ThenByDescending(s => s.Id).Take(n).Select(s => s.Id).Order();
            Assert.Equal(newest, plan.Keep.Where(k => k.Snapshot.Record.Pair.Id == pair.Key).Select(k => k.Snapshot.Id).Order());
        }
    }, iter: 300);

    [Fact]
    public void Plan_OverWhatItKept_RemovesNothing() => Gen.Select(Policy, History).Sample((policy, history) =>
    {
        var kept = policy.Plan(history.Snapshots, TimeZoneInfo.Utc, history.Heads).Keep.Select(k => k.Snapshot).ToList();

        Assert.Empty(policy.Plan(kept, TimeZoneInfo.Utc, history.Heads).Remove);
    }, iter: 300);

    [Fact]
    public void Plan_KeepDaily_KeepsTheNewestOfEachOfTheLastDaysWithSnapshots()
    {
        var snapshots = new[]
        {
            Snapshot("p", Start.AddHours(1), 0), Snapshot("p", Start.AddHours(5), 1), // day 1
            Snapshot("p", Start.AddDays(3).AddHours(2), 2), // day 4 (days 2 and 3 have none)
            Snapshot("p", Start.AddDays(4).AddHours(1), 3), Snapshot("p", Start.AddDays(4).AddHours(9), 4), // day 5
        };

        var plan = new RetentionPolicy(null, null, 2, null, null).Plan(snapshots, TimeZoneInfo.Utc);

        Assert.Equal([snapshots[4].Id, snapshots[2].Id], plan.Keep.Select(k => k.Snapshot.Id));
        Assert.All(plan.Keep, k => Assert.Equal(RetentionReason.Daily, k.Reasons));
        Assert.Equal([snapshots[3].Id, snapshots[1].Id, snapshots[0].Id], plan.Remove.Select(r => r.Id));
    }

    [Fact]
    public void Plan_KeepDailyInAZone_CountsDaysInThatZone()
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("plus-10", TimeSpan.FromHours(10), "plus-10", "plus-10");
        var snapshots = new[] { Snapshot("p", Start.AddHours(12), 0), Snapshot("p", Start.AddHours(15), 1) }; // UTC day 1; +10: day 1 22:00, day 2 01:00

        Assert.Single(new RetentionPolicy(null, null, 5, null, null).Plan(snapshots, TimeZoneInfo.Utc).Keep);
        Assert.Equal(2, new RetentionPolicy(null, null, 5, null, null).Plan(snapshots, zone).Keep.Count);
    }

    [Theory]
    [InlineData(null, null, null, null, null, "at least one rule")]
    [InlineData(-1, null, null, null, null, "negative")]
    [InlineData(1, null, null, -2, null, "negative")]
    public void Problem_NoRuleOrNegative_SaysWhy(int? last, int? hourly, int? daily, int? weekly, int? monthly, string expected)
    {
        var policy = new RetentionPolicy(last, hourly, daily, weekly, monthly);

        Assert.Contains(expected, policy.Problem(), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => policy.Plan([], null));
    }

    private static StoredSnapshot Snapshot(string pairId, DateTimeOffset time, int n)
    {
        var record = new SnapshotRecord
        {
            Time = time,
            Pair = new SnapshotPair(pairId, null),
            Source = "local:/src",
            Host = "host-1",
            RootTree = ObjectId.Of([(byte)n]),
            RunId = "run-" + n,
        };
        return new StoredSnapshot(record.Encode().Id, record);
    }
}
