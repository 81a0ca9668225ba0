using Microsoft.DurableTask;

namespace SyncFunctions.Orchestration.Schedules;

/// <summary>The names of the schedule orchestration and its activity (the Functions app's wrappers carry the same).</summary>
public static class ScheduleNames
{
    public const string Orchestrator = "SyncSchedule";
    public const string Fire = "SyncScheduleFire";

    /// <summary>Instance ids of schedules start with this, then the pair's name.</summary>
    public const string InstancePrefix = "schedule-";

    /// <summary>The schedule instance of the pair named <paramref name="pairName"/>: one per pair in the task hub.</summary>
    public static string InstanceId(string pairName) => InstancePrefix + pairName;
}

/// <summary>The input of a schedule generation.</summary>
/// <param name="PairName">The pair it starts.</param>
/// <param name="Cron">The pair's six-field schedule when the instance was started.</param>
/// <param name="LastFired">The occurrence the previous generation fired; the next is after it (and after now).</param>
public sealed record ScheduleInput(string PairName, string Cron, DateTime? LastFired = null);

/// <summary>What <see cref="ScheduleFireActivity"/> is asked: start the pair for this occurrence.</summary>
public sealed record ScheduleFire(string PairName, string Cron, DateTime Occurrence);

/// <summary>The result of firing: whether the schedule stays (false: the pair is gone or its schedule changed).</summary>
/// <param name="Active">The pair still has this schedule.</param>
/// <param name="RunId">The run started, or the active run that was marked to run again.</param>
/// <param name="Kind">started, resumed, marked-dirty, gone, or the problem.</param>
public sealed record ScheduleFired(bool Active, string? RunId = null, string? Kind = null);

/// <summary>
/// A pair's reconciliation schedule as an eternal orchestration (instance id <c>schedule-{pair}</c>, so a task hub
/// holds one per pair however many hosts share it, and each occurrence fires once): the next occurrence after the
/// orchestration's replay-safe clock, a durable timer, an activity that starts the pair, continue as new.
/// </summary>
/// <remarks>
/// Deterministic: the time is <see cref="TaskOrchestrationContext.CurrentUtcDateTime"/> and the cron arithmetic is
/// pure. Occurrences missed while no host ran are not made up: the next one after now fires. The orchestration ends
/// when its pair is gone or has another schedule (the reconciler starts the new one).
/// </remarks>
public sealed class ScheduleOrchestrator : TaskOrchestrator<ScheduleInput, string?>
{
    public override async Task<string?> RunAsync(TaskOrchestrationContext context, ScheduleInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var next = NextOccurrence(input, context.CurrentUtcDateTime);
        if (next is null)
        {
            return $"'{input.Cron}' has no further occurrence";
        }

        await context.CreateTimer(next.Value, CancellationToken.None);
        var fired = await context.CallActivityAsync<ScheduleFired>(ScheduleNames.Fire, new ScheduleFire(input.PairName, input.Cron, next.Value), RunOrchestrator.ActivityRetry);
        if (!fired.Active)
        {
            return $"pair '{input.PairName}' no longer has the schedule '{input.Cron}'";
        }

        context.ContinueAsNew(input with { LastFired = next.Value });
        return null;
    }

    /// <summary>The occurrence to wait for: after now and after the one fired last (a clock that went back never fires one twice).</summary>
    internal static DateTime? NextOccurrence(ScheduleInput input, DateTime now)
    {
        var from = input.LastFired is { } last && last > now ? last : now;
        return CronSchedule.NextAfter(input.Cron, from);
    }
}

/// <summary>Fires one occurrence of a pair's schedule (<see cref="ScheduleTrigger.FireAsync"/>).</summary>
public sealed class ScheduleFireActivity(ScheduleTrigger trigger) : TaskActivity<ScheduleFire, ScheduleFired>
{
    public override Task<ScheduleFired> RunAsync(TaskActivityContext context, ScheduleFire input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return trigger.FireAsync(input, CancellationToken.None);
    }
}

/// <summary>Registers the schedule orchestration and its activity (the activity needs a <see cref="ScheduleTrigger"/> service).</summary>
public static class ScheduleTaskRegistry
{
    public static DurableTaskRegistry AddScheduleTasks(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddOrchestrator<ScheduleOrchestrator>(ScheduleNames.Orchestrator);
        registry.AddActivity<ScheduleFireActivity>(ScheduleNames.Fire);
        return registry;
    }
}
