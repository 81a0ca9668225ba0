using CsCheck;
using SyncFunctions.Orchestration.Schedules;

namespace SyncFunctions.Orchestration.Tests;

/// <summary>The next-occurrence arithmetic of schedules over random cron expressions and times.</summary>
public sealed class CronScheduleTests
{
    private static readonly DateTime Epoch = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>A cron expression as the sets of values each field allows, with day-of-month or weekday restricted, not both.</summary>
    private sealed record Cron(int[] Seconds, int[] Minutes, int[] Hours, int[]? Days, int[] Months, int[]? Weekdays)
    {
        public string Text => $"{Field(Seconds, 60)} {Field(Minutes, 60)} {Field(Hours, 24)} {(Days is null ? "*" : string.Join(',', Days))} {Field(Months, 12)} {(Weekdays is null ? "*" : string.Join(',', Weekdays))}";

        public bool Matches(DateTime t) =>
            Seconds.Contains(t.Second) && Minutes.Contains(t.Minute) && Hours.Contains(t.Hour) && Months.Contains(t.Month)
            && (Days is null || Days.Contains(t.Day)) && (Weekdays is null || Weekdays.Contains((int)t.DayOfWeek));

        private static string Field(int[] values, int all) => values.Length == all ? "*" : string.Join(',', values);
    }

    private static Gen<int[]> SetOf(int from, int count, int max) =>
        Gen.OneOf(Gen.Const(Enumerable.Range(from, count).ToArray()), Gen.Int[from, from + count - 1].Array[1, max].Select(a => a.Distinct().Order().ToArray()));

    private static readonly Gen<Cron> CronGen =
        from seconds in SetOf(0, 60, 4)
        from minutes in SetOf(0, 60, 4)
        from hours in SetOf(0, 24, 3)
        from restrictDays in Gen.Int[0, 2]
        from days in SetOf(1, 28, 3)
        from weekdays in SetOf(0, 7, 3)
        from months in SetOf(1, 12, 12)
        select new Cron(seconds, minutes, hours, restrictDays == 1 ? days : null, months, restrictDays == 2 ? weekdays : null);

    private static readonly Gen<DateTime> TimeGen = Gen.Long[0, 10L * 365 * 24 * 3600].Select(s => Epoch.AddSeconds(s).AddTicks(s % 9_999_999));

    [Fact]
    public void NextAfter_RandomCronAndTime_IsLaterMatchesAndNothingMatchesBetween()
    {
        Gen.Select(CronGen, TimeGen).Sample((cron, now) =>
        {
            var next = CronSchedule.NextAfter(cron.Text, now);

            Assert.NotNull(next);
            Assert.True(next > now, $"{cron.Text}: {next:O} is not after {now:O}");
            Assert.Equal(DateTimeKind.Utc, next.Value.Kind);
            Assert.Equal(0, next.Value.Ticks % TimeSpan.TicksPerSecond);
            Assert.True(cron.Matches(next.Value), $"{cron.Text}: {next:O} does not match");

            // No earlier second matches: checked second by second over up to two days after now.
            var first = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc).AddSeconds(1);
            var end = next.Value < first.AddDays(2) ? next.Value : first.AddDays(2);
            for (var t = first; t < end; t = t.AddSeconds(1))
            {
                Assert.False(cron.Matches(t), $"{cron.Text}: {t:O} matches before {next:O}");
            }
        }, iter: 150);
    }

    [Fact]
    public void NextAfter_OccurrenceItself_IsTheFollowingOne()
    {
        var at = new DateTime(2026, 12, 3, 10, 15, 0, DateTimeKind.Utc);

        Assert.Equal(at.AddMinutes(15), CronSchedule.NextAfter("0 */15 * * * *", at));
        Assert.Equal(at.AddSeconds(1), CronSchedule.NextAfter("* * * * * *", at));
        Assert.Null(CronSchedule.NextAfter("0 0 0 30 2 *", at));
    }

    [Fact]
    public void NextOccurrence_LastFiredLaterThanTheClock_WaitsForTheOneAfterIt()
    {
        var now = new DateTime(2026, 12, 3, 10, 0, 0, DateTimeKind.Utc);

        // A host whose clock lags the one that fired 10:00:05 must not fire 10:00:05 again.
        Assert.Equal(now.AddSeconds(6), ScheduleOrchestrator.NextOccurrence(new ScheduleInput("p", "* * * * * *", now.AddSeconds(5)), now));
        Assert.Equal(now.AddSeconds(1), ScheduleOrchestrator.NextOccurrence(new ScheduleInput("p", "* * * * * *", now.AddSeconds(-30)), now));
        Assert.Equal(now.AddSeconds(1), ScheduleOrchestrator.NextOccurrence(new ScheduleInput("p", "* * * * * *"), now));
    }
}
