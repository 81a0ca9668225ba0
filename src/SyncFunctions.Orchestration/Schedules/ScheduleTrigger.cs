using SyncFunctions.Abstractions;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Orchestration.Schedules;

/// <summary>
/// What a schedule occurrence does, the same in every host: when the pair still has that schedule, start it (trigger
/// <c>schedule</c>), or mark its active run to run once more.
/// </summary>
public sealed class ScheduleTrigger(IPairCatalog catalog, RunService runs)
{
    /// <summary>The trigger recorded on scheduled runs.</summary>
    public const string Trigger = "schedule";

    /// <summary>Starts the pair for <paramref name="fire"/>; not Active when the pair is gone or its schedule changed.</summary>
    public async Task<ScheduleFired> FireAsync(ScheduleFire fire, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fire);
        var definition = await catalog.GetDefinitionAsync(fire.PairName, cancellationToken).ConfigureAwait(false);
        if (definition is null || definition.Schedule != fire.Cron)
        {
            return new ScheduleFired(false, Kind: "gone");
        }

        var started = await runs.StartAsync(fire.PairName, Trigger, markDirtyWhenBusy: true, cancellationToken).ConfigureAwait(false);
        return new ScheduleFired(true, started.Value?.Id, started.Value?.Kind ?? started.Problem);
    }
}
