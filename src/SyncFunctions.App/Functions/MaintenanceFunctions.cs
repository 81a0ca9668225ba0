using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using SyncFunctions.App.Composition;
using SyncFunctions.Orchestration.Repositories;
using SyncFunctions.Orchestration.Timers;

namespace SyncFunctions.App.Functions;

/// <summary>
/// The snapshot repositories' maintenance: the <c>RepositoryMaintenance</c> orchestration and its activities (wrappers of
/// the classes <c>syncfn serve</c> registers), the HTTP routes (<c>POST /api/maintenance/gc</c>,
/// <c>POST /api/maintenance/compact</c>, <c>GET /api/maintenance/runs/{id}</c>, <c>GET /api/stats</c>; bodies in
/// SyncFunctions.Http) and the GC and compaction timers, whose schedules are the app settings <c>SYNCFN_GC_SCHEDULE</c> and
/// <c>SYNCFN_COMPACT_SCHEDULE</c> (six-field cron).
/// </summary>
public sealed class MaintenanceFunctions(AppHost app, ILogger<MaintenanceFunctions> log)
{
    /// <summary>The app setting holding the GC timer's schedule (the Functions host resolves <c>%…%</c>).</summary>
    public const string GcScheduleSetting = "SYNCFN_GC_SCHEDULE";

    /// <summary>The app setting holding the compaction timer's schedule.</summary>
    public const string CompactScheduleSetting = "SYNCFN_COMPACT_SCHEDULE";

    [Function(RepositoryMaintenanceNames.Orchestrator)]
    public static Task<RepositoryMaintenanceOutput> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new RepositoryMaintenanceOrchestrator().RunAsync(context, context.GetInput<RepositoryMaintenanceInput>()!);
    }

    [Function(RepositoryMaintenanceNames.List)]
    public async Task<IReadOnlyList<RepositoryRef>> ListAsync([ActivityTrigger] string? input, string instanceId)
    {
        var services = await app.GetAsync(CancellationToken.None).ConfigureAwait(false);
        return await new RepositoryMaintenanceListActivity(services.RepositoryMaintenance()).RunAsync(new WrapperActivityContext(RepositoryMaintenanceNames.List, instanceId), input).ConfigureAwait(false);
    }

    [Function(RepositoryMaintenanceNames.Run)]
    public async Task<RepositoryMaintenanceResult> RunRepositoryAsync([ActivityTrigger] RepositoryMaintenanceOrder input, string instanceId)
    {
        var services = await app.GetAsync(CancellationToken.None).ConfigureAwait(false);
        return await new RepositoryMaintenanceRunActivity(services.RepositoryMaintenance()).RunAsync(new WrapperActivityContext(RepositoryMaintenanceNames.Run, instanceId), input).ConfigureAwait(false);
    }

    [Function("maintenance-gc")]
    public Task<IActionResult> GcAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "maintenance/gc")] HttpRequest request, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        HttpEntry.RunAsync(app, request, s => s.MaintenanceApi(request, client).StartAsync(request, RepositoryOperations.Gc, cancellationToken), cancellationToken);

    [Function("maintenance-compact")]
    public Task<IActionResult> CompactAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "maintenance/compact")] HttpRequest request, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        HttpEntry.RunAsync(app, request, s => s.MaintenanceApi(request, client).StartAsync(request, RepositoryOperations.Compact, cancellationToken), cancellationToken);

    [Function("maintenance-status")]
    public Task<IActionResult> StatusAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "maintenance/runs/{id}")] HttpRequest request, string id, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        HttpEntry.RunAsync(app, request, s => s.MaintenanceApi(request, client).GetAsync(request, id, cancellationToken), cancellationToken);

    [Function("stats")]
    public Task<IActionResult> StatsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "stats")] HttpRequest request, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        HttpEntry.RunAsync(app, request, s => s.MaintenanceApi(request, client).StatsAsync(request, cancellationToken), cancellationToken);

    [Function(TimerJobNames.RepositoryGc)]
    public async Task GcTimerAsync([TimerTrigger("%" + GcScheduleSetting + "%")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var services = await app.GetAsync(cancellationToken).ConfigureAwait(false);
        await TimerBodies.StartRepositoryMaintenanceAsync(services.RepositoryMaintenanceRuns(client), RepositoryOperations.Gc, log, cancellationToken).ConfigureAwait(false);
    }

    [Function(TimerJobNames.RepositoryCompact)]
    public async Task CompactTimerAsync([TimerTrigger("%" + CompactScheduleSetting + "%")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var services = await app.GetAsync(cancellationToken).ConfigureAwait(false);
        await TimerBodies.StartRepositoryMaintenanceAsync(services.RepositoryMaintenanceRuns(client), RepositoryOperations.Compact, log, cancellationToken).ConfigureAwait(false);
    }
}
