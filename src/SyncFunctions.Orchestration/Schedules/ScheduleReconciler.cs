using SyncFunctions.Abstractions;

namespace SyncFunctions.Orchestration.Schedules;

/// <summary>A schedule instance in the task hub: the pair it starts and the schedule it was started with.</summary>
public sealed record ScheduleInstance(string PairName, string Cron);

/// <summary>The schedule instances of a task hub (Durable's client in the hosts; a fake in tests).</summary>
public interface IScheduleInstances
{
    /// <summary>The schedule instances that are running or pending.</summary>
    IAsyncEnumerable<ScheduleInstance> ListActiveAsync(CancellationToken cancellationToken);

    /// <summary>The active instance of one pair, or null.</summary>
    Task<ScheduleInstance?> GetActiveAsync(string pairName, CancellationToken cancellationToken);

    /// <summary>Starts the pair's schedule instance (replacing an ended one).</summary>
    Task StartAsync(string pairName, string cron, CancellationToken cancellationToken);

    /// <summary>Ends the pair's schedule instance and waits until it has ended.</summary>
    Task StopAsync(string pairName, CancellationToken cancellationToken);
}

/// <summary>What a reconcile changed: pairs whose schedule was started, restarted (schedule changed) or stopped.</summary>
public sealed record ReconcileReport(IReadOnlyList<string> Started, IReadOnlyList<string> Restarted, IReadOnlyList<string> Stopped)
{
    public bool Changed => Started.Count + Restarted.Count + Stopped.Count > 0;
}

/// <summary>
/// Makes the task hub's schedule instances match the named pairs: one instance per pair with a schedule, started
/// with that schedule; none for other pairs. Run at host start, after a pair is added or removed, and periodically.
/// Idempotent, so several hosts may run it at once: instance ids are per pair, and a lost race to start one leaves
/// the winner's.
/// </summary>
public sealed class ScheduleReconciler(IPairCatalog catalog, IScheduleInstances instances)
{
    /// <summary>Reconciles every pair.</summary>
    public async Task<ReconcileReport> ReconcileAsync(CancellationToken cancellationToken)
    {
        var desired = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var definition in catalog.ListDefinitionsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (definition.Schedule is { } cron)
            {
                desired[definition.Name] = cron;
            }
        }

        var actual = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var instance in instances.ListActiveAsync(cancellationToken).ConfigureAwait(false))
        {
            actual[instance.PairName] = instance.Cron;
        }

        var changes = new Changes();
        foreach (var (name, cron) in desired.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            await ApplyAsync(name, cron, actual.GetValueOrDefault(name), changes, cancellationToken).ConfigureAwait(false);
        }

        foreach (var name in actual.Keys.Where(n => !desired.ContainsKey(n)).Order(StringComparer.Ordinal))
        {
            await ApplyAsync(name, null, actual[name], changes, cancellationToken).ConfigureAwait(false);
        }

        return changes.Report();
    }

    /// <summary>Reconciles the pair named <paramref name="pairName"/> only (after it was added or removed).</summary>
    public async Task<ReconcileReport> ReconcileAsync(string pairName, CancellationToken cancellationToken)
    {
        var definition = await catalog.GetDefinitionAsync(pairName, cancellationToken).ConfigureAwait(false);
        var instance = await instances.GetActiveAsync(pairName, cancellationToken).ConfigureAwait(false);
        var changes = new Changes();
        await ApplyAsync(pairName, definition?.Schedule, instance?.Cron, changes, cancellationToken).ConfigureAwait(false);
        return changes.Report();
    }

    private async Task ApplyAsync(string name, string? desired, string? actual, Changes changes, CancellationToken cancellationToken)
    {
        if (desired == actual)
        {
            return;
        }

        if (actual is not null)
        {
            await instances.StopAsync(name, cancellationToken).ConfigureAwait(false);
        }

        if (desired is not null)
        {
            await instances.StartAsync(name, desired, cancellationToken).ConfigureAwait(false);
        }

        var list = (desired, actual) switch
        {
            (not null, null) => changes.Started,
            (null, _) => changes.Stopped,
            _ => changes.Restarted,
        };
        list.Add(name);
    }

    private sealed class Changes
    {
        public List<string> Started { get; } = [];

        public List<string> Restarted { get; } = [];

        public List<string> Stopped { get; } = [];

        public ReconcileReport Report() => new(Started, Restarted, Stopped);
    }
}
