using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SyncFunctions.Orchestration;
using SyncFunctions.Orchestration.Repositories;
using SyncFunctions.Orchestration.Schedules;

namespace SyncFunctions.Serve;

/// <summary>What <see cref="DurableHost"/> runs on.</summary>
/// <param name="StorageConnection">The storage account of the task hub (Azurite's in <c>serve</c> by default).</param>
/// <param name="TaskHub">The task hub name; several hosts on one account with the same name share its work.</param>
/// <param name="WorkerId">This host in the task hub's partition leases (unique per process).</param>
/// <param name="MaxConcurrentActivities">Activities this process runs at once.</param>
public sealed record DurableHostOptions(string StorageConnection, string TaskHub, string WorkerId, int MaxConcurrentActivities = 16)
{
    /// <summary>The task hub name of the Functions app (host.json) and of <c>serve</c>.</summary>
    public const string DefaultTaskHub = "SyncFunctionsHub";

    /// <summary>The longest wait of an idle queue poll: low, so a local run does not sit 30 s between steps.</summary>
    public TimeSpan MaxQueuePollingInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long an activity message taken by a worker stays invisible to the others (the backend's default is 5 min).
    /// The sidecar does not renew it, so an activity running longer is delivered again: harmless, the steps are
    /// idempotent and the work item's lease keeps the second delivery off the items in progress. Short, so the activity
    /// a killed process held runs elsewhere about when its work item's lease (60 s) has run out.
    /// </summary>
    public TimeSpan WorkItemVisibility { get; init; } = TimeSpan.FromSeconds(90);
}

/// <summary>
/// Runs the sync orchestrations durably without the Functions host: the Durable Task Framework's Azure Storage
/// backend (the one Durable Functions uses by default) served by the Durable Task SDK's gRPC sidecar on a loopback
/// port, and the SDK's worker and client connected to it, in this process. The orchestrator and activity classes
/// are the same the Functions app hosts.
/// </summary>
/// <remarks>
/// The sidecar does not renew activity locks: an activity longer than the work-item visibility timeout is delivered
/// again, which the run steps' leases make harmless. Dispose stops the worker first, then the sidecar.
/// </remarks>
public sealed class DurableHost : IAsyncDisposable
{
    private readonly IHost _sidecar;
    private readonly IHost _worker;
    private readonly GrpcChannel _channel;

    private DurableHost(IHost sidecar, IHost worker, GrpcChannel channel)
    {
        _sidecar = sidecar;
        _worker = worker;
        _channel = channel;
        Client = worker.Services.GetRequiredService<DurableTaskClient>();
    }

    /// <summary>The client of the task hub (schedule, status, terminate).</summary>
    public DurableTaskClient Client { get; }

    /// <summary>Creates the task hub when new, starts the sidecar on a free loopback port, then the worker and client.</summary>
    /// <param name="options">Account, hub and limits.</param>
    /// <param name="steps">The run steps of this process's pairs.</param>
    /// <param name="loggerFactory">Logs of the backend, sidecar and worker; none when null.</param>
    /// <param name="configureServices">More services of the activities (the schedule activity's <see cref="ScheduleTrigger"/>).</param>
    /// <param name="cancellationToken">Stops the start.</param>
    public static async Task<DurableHost> StartAsync(
        DurableHostOptions options, IRunStepsProvider steps, ILoggerFactory? loggerFactory = null, Action<IServiceCollection>? configureServices = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var logs = loggerFactory ?? NullLoggerFactory.Instance;
        var backend = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = options.TaskHub,
            StorageAccountClientProvider = new StorageAccountClientProvider(options.StorageConnection),
            WorkerId = options.WorkerId,
            MaxQueuePollingInterval = options.MaxQueuePollingInterval,
            MaxConcurrentTaskActivityWorkItems = options.MaxConcurrentActivities,
            WorkItemQueueVisibilityTimeout = options.WorkItemVisibility,
            LoggerFactory = logs,
        });
        await backend.CreateIfNotExistsAsync().ConfigureAwait(false);

        var sidecar = new HostBuilder()
            .ConfigureLogging(l => l.Services.AddSingleton(logs))
            .ConfigureWebHostDefaults(web =>
            {
                web.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
                web.ConfigureServices(services =>
                {
                    services.AddGrpc();
                    services.AddSingleton<IOrchestrationService>(backend);
                    services.AddSingleton<IOrchestrationServiceClient>(backend);
                    services.AddSingleton<TaskHubGrpcServer>();
                });
                web.Configure(app =>
                {
                    app.UseRouting();
                    app.UseEndpoints(e => e.MapGrpcService<TaskHubGrpcServer>());
                });
            })
            .Build();
        await sidecar.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = sidecar.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        var channel = GrpcChannel.ForAddress(address);

        var worker = new HostBuilder()
            .ConfigureLogging(l => l.Services.AddSingleton(logs))
            .ConfigureServices(services =>
            {
                services.AddSingleton(steps);
                services.AddSingleton<IRunLauncher>(sp => new DurableRunLauncher(sp.GetRequiredService<DurableTaskClient>()));
                configureServices?.Invoke(services);
                services.AddDurableTaskWorker(b =>
                {
                    b.UseGrpc(channel);
                    b.AddTasks(r => r.AddSyncTasks().AddScheduleTasks().AddRepositoryMaintenanceTasks());
                    b.Configure(o => o.Concurrency.MaximumConcurrentActivityWorkItems = options.MaxConcurrentActivities);
                });
                services.AddDurableTaskClient(b =>
                {
                    b.UseGrpc(channel);
                    b.RegisterDirectly();
                });
            })
            .Build();
        await worker.StartAsync(cancellationToken).ConfigureAwait(false);
        return new DurableHost(sidecar, worker, channel);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _worker.StopAsync(timeout.Token).ConfigureAwait(false);
        _worker.Dispose();
        await _channel.ShutdownAsync().ConfigureAwait(false);
        _channel.Dispose();
        await _sidecar.StopAsync(timeout.Token).ConfigureAwait(false);
        _sidecar.Dispose();
    }
}
