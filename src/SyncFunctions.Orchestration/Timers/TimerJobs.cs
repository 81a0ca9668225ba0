using System.Collections;
using SyncFunctions.Orchestration.Schedules;

namespace SyncFunctions.Orchestration.Timers;

/// <summary>The names of the host's static timer jobs (the Functions app's timer functions carry the same).</summary>
public static class TimerJobNames
{
    public const string Maintenance = "maintenance";
    public const string SchedulesReconcile = "schedules-reconcile";
    public const string SubscriptionsRenew = "subscriptions-renew";
    public const string RepositoryGc = "repository-gc";
    public const string RepositoryCompact = "repository-compact";
}

/// <summary>The default schedules of the static timer jobs: six-field cron, UTC (the Functions timer syntax).</summary>
public static class TimerSchedules
{
    /// <summary>Daily at 03:30 UTC.</summary>
    public const string Maintenance = "0 30 3 * * *";

    /// <summary>Every five minutes.</summary>
    public const string SchedulesReconcile = "0 */5 * * * *";

    /// <summary>Every 30 minutes, at minute 10 and 40 (subscriptions are renewed 12 hours before they expire, so a few missed passes lose nothing).</summary>
    public const string SubscriptionsRenew = "0 10,40 * * * *";

    /// <summary>Daily at 04:30 UTC: a cycle a day suits GC's default one-day minimum age (an object goes on its third day unreferenced).</summary>
    public const string RepositoryGc = "0 30 4 * * *";

    /// <summary>Sundays at 05:30 UTC, after that day's GC: a sparse pack is repacked once two marks named it, so weekly is enough.</summary>
    public const string RepositoryCompact = "0 30 5 * * 0";
}

/// <summary>A named job on a cron schedule; its body is host-neutral (the Functions app calls the same from a timer trigger).</summary>
/// <param name="Name">Shown in logs.</param>
/// <param name="Schedule">Six-field cron, UTC.</param>
/// <param name="RunAsync">The body; its token is the host's stop.</param>
public sealed record TimerJob(string Name, string Schedule, Func<CancellationToken, Task> RunAsync);

/// <summary>The static jobs a host runs: one <see cref="Add"/> per job.</summary>
public sealed class TimerJobs : IEnumerable<TimerJob>
{
    private readonly List<TimerJob> _jobs = [];

    /// <summary>Adds a job; throws when the name is taken or the schedule is not six-field cron.</summary>
    public TimerJobs Add(string name, string schedule, Func<CancellationToken, Task> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(body);
        if (_jobs.Any(j => j.Name == name))
        {
            throw new ArgumentException($"a timer job named '{name}' exists", nameof(name));
        }

        _ = CronSchedule.Parse(schedule);
        _jobs.Add(new TimerJob(name, schedule, body));
        return this;
    }

    public IEnumerator<TimerJob> GetEnumerator() => _jobs.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
