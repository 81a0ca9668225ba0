using Microsoft.DurableTask;

namespace SyncFunctions.Orchestration.Repositories;

/// <summary>The names of the repository maintenance orchestration and its activities (the Functions app's wrappers carry the same).</summary>
public static class RepositoryMaintenanceNames
{
    public const string Orchestrator = "RepositoryMaintenance";
    public const string List = "RepositoryMaintenanceList";
    public const string Run = "RepositoryMaintenanceRun";

    /// <summary>Instance ids start with this, then the operation, a dash and the start time.</summary>
    public const string InstancePrefix = "maintenance-";

    /// <summary>The id prefix of <paramref name="operation"/>'s instances.</summary>
    public static string PrefixOf(string operation) => InstancePrefix + operation + "-";
}

/// <summary>What a maintenance orchestration is asked to do.</summary>
/// <param name="Operation">gc or compact.</param>
/// <param name="DryRun">Report only.</param>
/// <param name="Max">Per repository: the most objects deleted (gc) or packs repacked (compact); null: no limit.</param>
/// <param name="Repository">One repository's canonical endpoint, or null for every repository of the host.</param>
public sealed record RepositoryMaintenanceInput(string Operation, bool DryRun = false, int? Max = null, string? Repository = null);

/// <summary>The orchestration's custom status while it runs: how far it got.</summary>
/// <param name="Operation">gc or compact.</param>
/// <param name="DryRun">Report only.</param>
/// <param name="Repositories">Repositories to maintain.</param>
/// <param name="Done">Repositories maintained so far.</param>
/// <param name="Current">The repository being maintained now, or null.</param>
public sealed record RepositoryMaintenanceProgress(string Operation, bool DryRun, int Repositories, int Done, string? Current);

/// <summary>The orchestration's output: every repository's result and the sums.</summary>
/// <param name="Operation">gc or compact.</param>
/// <param name="DryRun">Nothing was changed.</param>
/// <param name="Repositories">One result per repository, in ordinal order of their endpoints.</param>
/// <param name="Scanned">Sum of the repositories' scanned objects.</param>
/// <param name="Orphaned">Sum of the orphaned ones.</param>
/// <param name="Freed">Sum of the freed ones.</param>
public sealed record RepositoryMaintenanceOutput(
    string Operation, bool DryRun, IReadOnlyList<RepositoryMaintenanceResult> Repositories, ObjectCount Scanned, ObjectCount Orphaned, ObjectCount Freed);

/// <summary>
/// GC or compaction of the host's snapshot repositories as an orchestration: one activity lists them, then one activity
/// per repository, one after the other (each is I/O-bound on its own store and must not overlap itself), with the
/// progress as custom status. A repository whose activity failed after its retries is reported with the error; the
/// others still run.
/// </summary>
/// <remarks>Deterministic: no clock, no I/O outside activities.</remarks>
public sealed class RepositoryMaintenanceOrchestrator : TaskOrchestrator<RepositoryMaintenanceInput, RepositoryMaintenanceOutput>
{
    /// <summary>Maintenance of a large repository reads every tree and index: longer than a run's step, so fewer, slower retries.</summary>
    public static readonly TaskOptions ActivityRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromSeconds(5), 2.0, TimeSpan.FromMinutes(1)));

    public override async Task<RepositoryMaintenanceOutput> RunAsync(TaskOrchestrationContext context, RepositoryMaintenanceInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var repositories = await context.CallActivityAsync<IReadOnlyList<RepositoryRef>>(RepositoryMaintenanceNames.List, input.Repository, ActivityRetry);
        var results = new List<RepositoryMaintenanceResult>(repositories.Count);
        foreach (var repository in repositories)
        {
            context.SetCustomStatus(new RepositoryMaintenanceProgress(input.Operation, input.DryRun, repositories.Count, results.Count, repository.Repository));
            var order = new RepositoryMaintenanceOrder(repository.Repository, input.Operation, input.DryRun, input.Max);
            try
            {
                results.Add(await context.CallActivityAsync<RepositoryMaintenanceResult>(RepositoryMaintenanceNames.Run, order, ActivityRetry));
            }
            catch (TaskFailedException e)
            {
                var details = e.FailureDetails;
                results.Add(new RepositoryMaintenanceResult(
                    repository.Repository, input.Operation, input.DryRun, ObjectCount.Zero, ObjectCount.Zero, ObjectCount.Zero, Error: $"{details.ErrorType}: {details.ErrorMessage}"));
            }
        }

        context.SetCustomStatus(new RepositoryMaintenanceProgress(input.Operation, input.DryRun, repositories.Count, results.Count, null));
        return new RepositoryMaintenanceOutput(
            input.Operation,
            input.DryRun,
            results,
            results.Aggregate(ObjectCount.Zero, (sum, r) => sum.Add(r.Scanned)),
            results.Aggregate(ObjectCount.Zero, (sum, r) => sum.Add(r.Orphaned)),
            results.Aggregate(ObjectCount.Zero, (sum, r) => sum.Add(r.Freed)));
    }
}

/// <summary>Lists the repositories to maintain (all, or the one named).</summary>
public sealed class RepositoryMaintenanceListActivity(RepositoryMaintenanceService service) : TaskActivity<string?, IReadOnlyList<RepositoryRef>>
{
    public override Task<IReadOnlyList<RepositoryRef>> RunAsync(TaskActivityContext context, string? input) => service.ListAsync(input, CancellationToken.None);
}

/// <summary>Runs one repository's GC or compaction.</summary>
public sealed class RepositoryMaintenanceRunActivity(RepositoryMaintenanceService service) : TaskActivity<RepositoryMaintenanceOrder, RepositoryMaintenanceResult>
{
    public override Task<RepositoryMaintenanceResult> RunAsync(TaskActivityContext context, RepositoryMaintenanceOrder input) => service.RunAsync(input, CancellationToken.None);
}

/// <summary>Registers the maintenance orchestration and its activities (they need a <see cref="RepositoryMaintenanceService"/> service).</summary>
public static class RepositoryMaintenanceTaskRegistry
{
    public static DurableTaskRegistry AddRepositoryMaintenanceTasks(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddOrchestrator<RepositoryMaintenanceOrchestrator>(RepositoryMaintenanceNames.Orchestrator);
        registry.AddActivity<RepositoryMaintenanceListActivity>(RepositoryMaintenanceNames.List);
        registry.AddActivity<RepositoryMaintenanceRunActivity>(RepositoryMaintenanceNames.Run);
        return registry;
    }
}
