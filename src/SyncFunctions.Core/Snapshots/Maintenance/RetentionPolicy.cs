using System.Globalization;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

/// <summary>Why a snapshot is kept (several rules may keep one snapshot).</summary>
[Flags]
public enum RetentionReason
{
    /// <summary>Kept by no rule.</summary>
    None = 0,

    /// <summary>One of the pair's <see cref="RetentionPolicy.KeepLast"/> newest.</summary>
    Last = 1,

    /// <summary>The newest of one of the pair's last <see cref="RetentionPolicy.KeepHourly"/> hours that have snapshots.</summary>
    Hourly = 2,

    /// <summary>The newest of one of the pair's last <see cref="RetentionPolicy.KeepDaily"/> days that have snapshots.</summary>
    Daily = 4,

    /// <summary>The newest of one of the pair's last <see cref="RetentionPolicy.KeepWeekly"/> ISO weeks that have snapshots.</summary>
    Weekly = 8,

    /// <summary>The newest of one of the pair's last <see cref="RetentionPolicy.KeepMonthly"/> months that have snapshots.</summary>
    Monthly = 16,

    /// <summary>The pair's head: never forgotten.</summary>
    Head = 32,
}

/// <summary>A snapshot the plan keeps, with every reason.</summary>
/// <param name="Snapshot">The snapshot.</param>
/// <param name="Reasons">The rules that keep it.</param>
public sealed record KeptSnapshot(StoredSnapshot Snapshot, RetentionReason Reasons);

/// <summary>What forgetting would do: the snapshots kept (with reasons) and those removed, each newest first per pair.</summary>
/// <param name="Keep">The snapshots kept.</param>
/// <param name="Remove">The snapshots whose records would be deleted.</param>
public sealed record RetentionPlan(IReadOnlyList<KeptSnapshot> Keep, IReadOnlyList<StoredSnapshot> Remove);

/// <summary>
/// Which snapshots to keep, per pair (restic's semantics): the <see cref="KeepLast"/> newest, and the newest snapshot
/// of each of the last N hours / days / ISO weeks / months that have snapshots; a snapshot kept by any rule is kept,
/// and a pair's head always is. Null means the rule is not used; 0 keeps nothing by that rule.
/// </summary>
/// <param name="KeepLast">The newest N.</param>
/// <param name="KeepHourly">The newest of each of the last N hours with snapshots.</param>
/// <param name="KeepDaily">The newest of each of the last N days with snapshots.</param>
/// <param name="KeepWeekly">The newest of each of the last N ISO weeks with snapshots.</param>
/// <param name="KeepMonthly">The newest of each of the last N months with snapshots.</param>
public sealed record RetentionPolicy(int? KeepLast, int? KeepHourly, int? KeepDaily, int? KeepWeekly, int? KeepMonthly)
{
    /// <summary>Null when the policy can be used, else what is wrong: no rule at all, or a negative count.</summary>
    public string? Problem()
    {
        if (KeepLast is null && KeepHourly is null && KeepDaily is null && KeepWeekly is null && KeepMonthly is null)
        {
            return "a retention policy names at least one rule (keep last, hourly, daily, weekly or monthly)";
        }

        return new[] { KeepLast, KeepHourly, KeepDaily, KeepWeekly, KeepMonthly }.Any(n => n < 0)
            ? "a retention rule keeps 0 or more snapshots, not a negative number"
            : null;
    }

    /// <summary>
    /// The plan for <paramref name="snapshots"/> (any order, any pairs): a pure function. Times are bucketed in
    /// <paramref name="zone"/> (UTC when null); snapshots in <paramref name="heads"/> are always kept.
    /// </summary>
    /// <exception cref="ArgumentException">The policy has a <see cref="Problem"/>.</exception>
    public RetentionPlan Plan(IReadOnlyList<StoredSnapshot> snapshots, TimeZoneInfo? zone, IReadOnlyCollection<ObjectId>? heads = null)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        if (Problem() is { } problem)
        {
            throw new ArgumentException("unusable retention policy: " + problem);
        }

        zone ??= TimeZoneInfo.Utc;
        var headSet = heads?.ToHashSet() ?? [];
        var keep = new List<KeptSnapshot>();
        var remove = new List<StoredSnapshot>();
        foreach (var pair in snapshots.GroupBy(s => s.Record.Pair.Id, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var newestFirst = pair.OrderByDescending(s => s.Record.Time).ThenByDescending(s => s.Id).ToList();
            var reasons = new RetentionReason[newestFirst.Count];
            KeepNewest(reasons, KeepLast, RetentionReason.Last);
            KeepPerBucket(newestFirst, reasons, zone, KeepHourly, RetentionReason.Hourly, t => t.ToString("yyyyMMddHH", CultureInfo.InvariantCulture));
            KeepPerBucket(newestFirst, reasons, zone, KeepDaily, RetentionReason.Daily, t => t.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
            KeepPerBucket(newestFirst, reasons, zone, KeepWeekly, RetentionReason.Weekly,
                t => string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(t)}-{ISOWeek.GetWeekOfYear(t)}"));
            KeepPerBucket(newestFirst, reasons, zone, KeepMonthly, RetentionReason.Monthly, t => t.ToString("yyyyMM", CultureInfo.InvariantCulture));
            for (var i = 0; i < newestFirst.Count; i++)
            {
                if (headSet.Contains(newestFirst[i].Id))
                {
                    reasons[i] |= RetentionReason.Head;
                }

                if (reasons[i] == RetentionReason.None)
                {
                    remove.Add(newestFirst[i]);
                }
                else
                {
                    keep.Add(new KeptSnapshot(newestFirst[i], reasons[i]));
                }
            }
        }

        return new RetentionPlan(keep, remove);
    }

    private static void KeepNewest(RetentionReason[] reasons, int? count, RetentionReason reason)
    {
        for (var i = 0; i < Math.Min(count ?? 0, reasons.Length); i++)
        {
            reasons[i] |= reason;
        }
    }

    private static void KeepPerBucket(
        List<StoredSnapshot> newestFirst, RetentionReason[] reasons, TimeZoneInfo zone, int? count, RetentionReason reason, Func<DateTime, string> bucket)
    {
        var kept = 0;
        string? last = null;
        for (var i = 0; i < newestFirst.Count && kept < (count ?? 0); i++)
        {
            var key = bucket(TimeZoneInfo.ConvertTime(newestFirst[i].Record.Time, zone).DateTime);
            if (key != last)
            {
                reasons[i] |= reason;
                kept++;
                last = key;
            }
        }
    }
}
