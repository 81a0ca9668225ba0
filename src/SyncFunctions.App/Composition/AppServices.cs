using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Maintenance;
using SyncFunctions.Core.Snapshots.Maintenance;
using SyncFunctions.Http;
using SyncFunctions.Orchestration;
using SyncFunctions.Orchestration.Repositories;
using SyncFunctions.Orchestration.Schedules;
using SyncFunctions.Orchestration.Service;
using SyncFunctions.Orchestration.Timers;

namespace SyncFunctions.App.Composition;

/// <summary>
/// What the app's functions call, composed once per process: the ledger, the pairs' run steps, endpoint parsing; and
/// the service operations built on them over an invocation's Durable client (the <c>[DurableClient]</c> binding).
/// </summary>
/// <param name="Ledger">The ledger (retry-wrapped, tables created).</param>
/// <param name="Steps">The run steps of each pair.</param>
/// <param name="Endpoints">Endpoint parsing of new pairs.</param>
/// <param name="Time">The clock.</param>
/// <param name="PublicUrl">The base of the URLs handed out; null: the request's.</param>
/// <param name="Logs">Logs of the API and the jobs.</param>
public sealed record AppServices(ILedger Ledger, IRunStepsProvider Steps, IPairEndpoints Endpoints, TimeProvider Time, Uri? PublicUrl, ILoggerFactory Logs)
{
    private ILogger Log => Logs.CreateLogger("SyncFunctions.App");

    /// <summary>The sources' change-notification subscriptions (Graph); null: pairs are not subscribed.</summary>
    public IChangeSubscriptions? ChangeSubscriptions { get; init; }

    /// <summary>The storage accounts blob events come from, with the identities pairs name them by.</summary>
    public IReadOnlyList<BlobAccountAlias> BlobAccounts { get; init; } = [];

    /// <summary>Opens the snapshot repositories pairs write into; null: none.</summary>
    public IRepositoryRoots? RepositoryRoots { get; init; }

    /// <summary>Opens the pairs' destinations, where maintenance looks for what unfinished runs left; null: not checked.</summary>
    public IPairDestinations? Destinations { get; init; }

    /// <summary>The snapshot repositories of the named pairs.</summary>
    public RepositoryCatalog Repositories() => new(Ledger, RepositoryRoots);

    /// <summary>GC and compaction of one repository (the maintenance activities' body), with GC's default safety.</summary>
    public RepositoryMaintenanceService RepositoryMaintenance() => new(Repositories(), Time, GcSafety.Default);

    /// <summary>The repositories' maintenance orchestrations on <paramref name="client"/>.</summary>
    public RepositoryMaintenanceRuns RepositoryMaintenanceRuns(DurableTaskClient client) => new(client, Repositories(), Time);

    /// <summary>The maintenance and stats routes for <paramref name="request"/>.</summary>
    public MaintenanceApi MaintenanceApi(HttpRequest request, DurableTaskClient client) =>
        new(RepositoryMaintenanceRuns(client), new ServiceStats(Ledger, Ledger, Repositories(), Time), ApiUrls.For(request, PublicUrl), Log);

    /// <summary>
    /// The subscriptions of subscribing pairs, their notifications sent to <see cref="PublicUrl"/>; null without a
    /// subscription service or a public URL (a subscription needs an address Graph can call).
    /// </summary>
    public PairSubscriptions? Subscriptions() =>
        ChangeSubscriptions is { } service && PublicUrl is { } url
            ? new PairSubscriptions(Ledger, Ledger, service, () => url, Time, Logs.CreateLogger("SyncFunctions.Subscriptions"))
            : null;

    /// <summary>Graph change notifications, runs started on <paramref name="client"/>; null when pairs cannot subscribe.</summary>
    public GraphWebhookService? GraphWebhooks(DurableTaskClient client) =>
        Subscriptions() is { } subscriptions ? new GraphWebhookService(Ledger, subscriptions, Runs(client), Time, Logs.CreateLogger("SyncFunctions.Webhooks")) : null;

    /// <summary>Event Grid blob events: changed paths staged, runs started (or the pair marked) on <paramref name="client"/>.</summary>
    public BlobEventsWebhookService BlobEvents(DurableTaskClient client) =>
        new(Ledger, Ledger, (name, ct) => Runs(client).StartAsync(name, BlobEventsWebhookService.Trigger, markDirtyWhenBusy: true, ct), BlobAccounts, Time, Logs.CreateLogger("SyncFunctions.BlobEvents"));

    /// <summary>
    /// Named pairs; with <paramref name="client"/>, a pair added or removed has its schedule orchestration reconciled at
    /// once (a failure there is logged and left to the <c>schedules-reconcile</c> timer, never failing the request).
    /// </summary>
    public PairService Pairs(DurableTaskClient? client = null) =>
        new(Ledger, Endpoints, Time) { Subscriptions = Subscriptions(), PairChanged = client is null ? null : (name, ct) => ReconcileAsync(client, name, ct) };

    /// <summary>Runs of named pairs as orchestrations on <paramref name="client"/>.</summary>
    public RunService Runs(DurableTaskClient client) => new(Ledger, Pairs(), Steps, client, Time);

    /// <summary>The pair routes for <paramref name="request"/> (its URLs on the public URL, else the request's host).</summary>
    public PairApi PairApi(HttpRequest request, DurableTaskClient? client = null) => new(Pairs(client), ApiUrls.For(request, PublicUrl), Log);

    /// <summary>The run routes for <paramref name="request"/> over the invocation's Durable client.</summary>
    public RunApi RunApi(HttpRequest request, DurableTaskClient client) => new(Runs(client), ApiUrls.For(request, PublicUrl), Time, Log);

    /// <summary>Preview, then apply: plans of named pairs, their runs on <paramref name="client"/>.</summary>
    public PlanService Plans(DurableTaskClient client) => new(Ledger, Pairs(), Steps, Runs(client), Time);

    /// <summary>The preview-then-apply routes for <paramref name="request"/> over the invocation's Durable client.</summary>
    public PlanApi PlanApi(HttpRequest request, DurableTaskClient client) => new(Plans(client), ApiUrls.For(request, PublicUrl), Log);

    /// <summary>The schedule orchestrations' reconcile (every pair's schedule instance in line with its definition).</summary>
    public ScheduleReconciler Schedules(DurableTaskClient client) => new(Ledger, new DurableScheduleInstances(client));

    /// <summary>What a schedule orchestration's activity calls: the pair started (or marked dirty) by its schedule.</summary>
    public ScheduleTrigger ScheduleTrigger(DurableTaskClient client) => new(Ledger, Runs(client));

    /// <summary>The maintenance pass, then the purge of ended runs' instances from the task hub.</summary>
    public MaintenanceJob Maintenance(DurableTaskClient client) => new(new MaintenanceService(Ledger, Time, Logs.CreateLogger("SyncFunctions.Maintenance")) { Destinations = Destinations }, client);

    private Task ReconcileAsync(DurableTaskClient client, string pairName, CancellationToken cancellationToken) =>
        TimerBodies.ReconcileAsync(Schedules(client), pairName, Log, cancellationToken);
}
