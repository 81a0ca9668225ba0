using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
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

namespace SyncFunctions.Serve;

/// <summary>How <c>syncfn serve</c> runs.</summary>
/// <param name="Port">The loopback port of the API (0: a free one).</param>
/// <param name="TaskHubConnection">The storage account of the Durable task hub.</param>
/// <param name="StateDirectory">Where the generated API key is kept.</param>
/// <param name="PublicUrl">The base URL handed out in status URLs and to Graph / Event Grid; null: the listening URL.</param>
/// <param name="Workers">Activities this process runs at once.</param>
/// <param name="TaskHub">The task hub; every <c>serve</c> on the account with the same name shares its runs.</param>
public sealed record ServeOptions(int Port, string TaskHubConnection, string StateDirectory, Uri? PublicUrl = null, int Workers = 8, string TaskHub = DurableHostOptions.DefaultTaskHub)
{
    /// <summary>Orchestration limits of the runs this host starts.</summary>
    public RunOrchestrationLimits Limits { get; init; } = RunOrchestrationLimits.Default;

    /// <summary>How long an activity a worker took stays hidden from the others (<see cref="DurableHostOptions.WorkItemVisibility"/>).</summary>
    public TimeSpan ActivityVisibility { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Six-field cron (UTC) of the snapshot repositories' garbage collection; null: not on a timer.</summary>
    public string? GcSchedule { get; init; } = TimerSchedules.RepositoryGc;

    /// <summary>Six-field cron (UTC) of the snapshot repositories' compaction; null: not on a timer.</summary>
    public string? CompactSchedule { get; init; } = TimerSchedules.RepositoryCompact;
}

/// <summary>What the composition root gives <see cref="ServeHost"/>: the ledger (retrying), the pairs' steps, endpoint parsing.</summary>
public sealed record ServeServices(ILedger Ledger, IRunStepsProvider Steps, IPairEndpoints Endpoints, TimeProvider Time)
{
    /// <summary>The sources' change-notification subscriptions (Graph); null: pairs are not subscribed and the Graph webhook answers 404.</summary>
    public IChangeSubscriptions? Subscriptions { get; init; }

    /// <summary>The storage accounts blob events come from, with the identities pairs name them by.</summary>
    public IReadOnlyList<BlobAccountAlias> BlobAccounts { get; init; } = [];

    /// <summary>Opens the snapshot repositories pairs write into (maintenance, stats); null: the host knows none.</summary>
    public IRepositoryRoots? RepositoryRoots { get; init; }

    /// <summary>Opens the pairs' destinations, where maintenance looks for what unfinished runs left; null: not checked.</summary>
    public IPairDestinations? Destinations { get; init; }

    /// <summary>The ledger's maintenance pass, with the destinations' leftovers when <see cref="Destinations"/> is set.</summary>
    public MaintenanceService Maintenance(ILogger log) => new(Ledger, Time, log) { Destinations = Destinations };

    /// <summary>The repositories of the named pairs.</summary>
    public RepositoryCatalog Repositories() => new(Ledger, RepositoryRoots);
}

/// <summary>
/// <c>syncfn serve</c>: the run orchestrations hosted durably (<see cref="DurableHost"/>) and the HTTP API
/// (<see cref="ServeApi"/>) on a loopback port, until <c>stop</c> is signalled. Runs in flight stay in the task hub
/// and continue on the next start or on another <c>serve</c> of the same hub.
/// </summary>
public static class ServeHost
{
    /// <summary>Starts, prints <c>serve listening on URL</c> on <paramref name="stdout"/> once listening, and runs until <paramref name="stop"/>.</summary>
    public static async Task RunAsync(ServeOptions options, ServeServices services, TextWriter stdout, ILoggerFactory logs, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(stdout);
        var key = ApiKey.Load(options.StateDirectory);
        var workerId = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        await using var durable = await DurableHost.StartAsync(
            new DurableHostOptions(options.TaskHubConnection, options.TaskHub, workerId, options.Workers) { WorkItemVisibility = options.ActivityVisibility }, services.Steps, logs, s => AddTimerServices(s, options, services), stop).ConfigureAwait(false);
        var listening = new Listening(options.PublicUrl);
        Func<Uri> baseUrl = () => listening.PublicUrl ?? listening.Url ?? throw new InvalidOperationException("not listening yet");
        var subscriptions = services.Subscriptions is { } service
            ? new PairSubscriptions(services.Ledger, services.Ledger, service, baseUrl, services.Time, logs.CreateLogger("SyncFunctions.Subscriptions"))
            : null;
        var timers = new ServeTimers(services, durable.Client, subscriptions, logs.CreateLogger("SyncFunctions.Serve.Timers"), options.GcSchedule, options.CompactSchedule);
        await using var app = Build(options, services, key, durable.Client, logs, timers, subscriptions, baseUrl, stop);
        await app.StartAsync(stop).ConfigureAwait(false);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        listening.Url = new Uri($"http://127.0.0.1:{address.Port}/");
        await stdout.WriteLineAsync($"serve listening on http://127.0.0.1:{address.Port}").ConfigureAwait(false);
        await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        var scheduler = Task.CompletedTask;
        try
        {
            // A stop that arrives during the first reconcile is a stop like any other (exit 0), not an interrupted start.
            await timers.ReconcileAsync(stop).ConfigureAwait(false);
            scheduler = timers.StartScheduler(stop);
            await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Ctrl-C / SIGTERM: stop taking requests, let the worker abandon what it holds.
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await app.StopAsync(grace.Token).ConfigureAwait(false);
        await scheduler.ConfigureAwait(false);
    }

    /// <summary>What the schedule activity needs in the worker: a run service on the worker's client.</summary>
    private static void AddTimerServices(IServiceCollection s, ServeOptions options, ServeServices services)
    {
        s.AddSingleton(sp => new ScheduleTrigger(
            services.Ledger,
            new RunService(services.Ledger, new PairService(services.Ledger, services.Endpoints, services.Time), services.Steps, sp.GetRequiredService<DurableTaskClient>(), services.Time) { Limits = options.Limits }));
        s.AddSingleton(new RepositoryMaintenanceService(services.Repositories(), services.Time, GcSafety.Default));
    }

    private static WebApplication Build(ServeOptions options, ServeServices services, ApiKey key, DurableTaskClient client, ILoggerFactory logs, ServeTimers timers, PairSubscriptions? subscriptions, Func<Uri> baseUrl, CancellationToken stop)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(logs);
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, options.Port);
            k.Limits.MaxRequestBodySize = ServeApi.MaxBodyBytes;
            k.AddServerHeader = false;
        });
        builder.Services.AddProblemDetails();
        var app = builder.Build();
        var pairs = new PairService(services.Ledger, services.Endpoints, services.Time) { Subscriptions = subscriptions, PairChanged = timers.ReconcileAsync };
        var runs = new RunService(services.Ledger, pairs, services.Steps, client, services.Time) { Limits = options.Limits };
        var webhooks = subscriptions is null ? null : new GraphWebhookService(services.Ledger, subscriptions, runs, services.Time, logs.CreateLogger("SyncFunctions.Webhooks"), stop);
        var blobEvents = new BlobEventsWebhookService(
            services.Ledger, services.Ledger, (name, ct) => runs.StartAsync(name, BlobEventsWebhookService.Trigger, markDirtyWhenBusy: true, ct), services.BlobAccounts, services.Time, logs.CreateLogger("SyncFunctions.Serve.BlobEvents"));
        var plans = new PlanService(services.Ledger, pairs, services.Steps, runs, services.Time);
        app.MapSyncApi(new ServeApiContext(pairs, runs, key, baseUrl, services.Time, logs.CreateLogger("SyncFunctions.Serve")) { GraphWebhooks = webhooks, BlobEvents = blobEvents, Plans = plans });
        app.MapMaintenanceApi(timers.Maintenance);
        var repositories = services.Repositories();
        app.MapRepositoryMaintenanceApi(new MaintenanceApi(
            timers.RepositoryMaintenance, new ServiceStats(services.Ledger, services.Ledger, repositories, services.Time), new ApiUrls(baseUrl), logs.CreateLogger("SyncFunctions.Serve.Maintenance")));
        return app;
    }

    /// <summary>The URLs of a started host.</summary>
    private sealed class Listening(Uri? publicUrl)
    {
        public Uri? PublicUrl { get; } = publicUrl is null ? null : new Uri(publicUrl.ToString().TrimEnd('/') + "/");

        public Uri? Url { get; set; }
    }
}
