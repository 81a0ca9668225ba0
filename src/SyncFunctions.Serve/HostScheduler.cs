using Microsoft.Extensions.Logging;
using SyncFunctions.Orchestration.Schedules;
using SyncFunctions.Orchestration.Timers;

namespace SyncFunctions.Serve;

/// <summary>
/// Runs <c>serve</c>'s static timer jobs on their cron schedules (UTC) by the injected clock: each job waits for its
/// next occurrence, runs, and waits for the one after. A job's failure is logged and its schedule goes on; an
/// occurrence missed while the job ran long is skipped, not made up.
/// </summary>
/// <remarks>
/// Every <c>serve</c> process runs these, so the jobs are ones that may run in several hosts at once (maintenance and
/// the schedule reconcile are idempotent CAS work). Per-pair schedules are not here: they are durable orchestrations
/// that fire once per occurrence in the whole task hub.
/// </remarks>
public sealed class HostScheduler(IEnumerable<TimerJob> jobs, TimeProvider time, ILogger logger)
{
    /// <summary>Called when a job has started waiting for its next occurrence (name, occurrence): lets tests step the clock.</summary>
    public Action<string, DateTimeOffset>? Waiting { get; init; }

    /// <summary>Runs every job until <paramref name="stop"/>; returns once all loops have ended.</summary>
    public Task RunAsync(CancellationToken stop) => Task.WhenAll(jobs.ToList().Select(job => Task.Run(() => LoopAsync(job, stop), CancellationToken.None)));

    private async Task LoopAsync(TimerJob job, CancellationToken stop)
    {
        var last = time.GetUtcNow();
        while (!stop.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            if (CronSchedule.NextAfter(job.Schedule, now > last ? now : last) is not { } next)
            {
                return;
            }

            try
            {
                var wait = next - now;
                var delay = Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time, stop);

                // Told once the timer exists, so a test that moves the clock then cannot outrun it.
                Waiting?.Invoke(job.Name, next);
                await delay.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }

            last = next;
            try
            {
                SchedulerLogs.JobStarted(logger, job.Name, next);
                await job.RunAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed job must not end the loop: it is logged and runs again at its next occurrence.
            catch (Exception e)
#pragma warning restore CA1031
            {
                SchedulerLogs.JobFailed(logger, job.Name, e.GetType().Name, e.Message);
            }
        }
    }
}

internal static partial class SchedulerLogs
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "timer job {Job}: occurrence {Occurrence:O}")]
    public static partial void JobStarted(ILogger logger, string job, DateTimeOffset occurrence);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "timer job {Job} failed ({Type}): {Error}; it runs again at its next occurrence")]
    public static partial void JobFailed(ILogger logger, string job, string type, string error);
}
