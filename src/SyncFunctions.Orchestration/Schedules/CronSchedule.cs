using Cronos;

namespace SyncFunctions.Orchestration.Schedules;

/// <summary>
/// Six-field cron schedules (second minute hour day month weekday, UTC; the Functions timer syntax) as pure
/// functions, so an orchestrator may call them: the same input gives the same occurrence on every replay.
/// </summary>
public static class CronSchedule
{
    /// <summary>Parses <paramref name="cron"/>; throws <see cref="CronFormatException"/> when it is not valid.</summary>
    public static CronExpression Parse(string cron)
    {
        ArgumentNullException.ThrowIfNull(cron);
        return CronExpression.Parse(cron, CronFormat.IncludeSeconds);
    }

    /// <summary>
    /// The first occurrence of <paramref name="cron"/> strictly after <paramref name="after"/> (taken as UTC), or null
    /// when there is none (e.g. 30 February).
    /// </summary>
    public static DateTime? NextAfter(string cron, DateTime after) =>
        Parse(cron).GetNextOccurrence(DateTime.SpecifyKind(after, DateTimeKind.Utc), inclusive: false);

    /// <inheritdoc cref="NextAfter(string, DateTime)"/>
    public static DateTimeOffset? NextAfter(string cron, DateTimeOffset after) =>
        NextAfter(cron, after.UtcDateTime) is { } next ? new DateTimeOffset(next, TimeSpan.Zero) : null;
}
