using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SyncFunctions.Azure;
using SyncFunctions.Core.Endpoints;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Retry;
using SyncFunctions.Core.Snapshots.Destination;
using SyncFunctions.Core.Stores;
using SyncFunctions.Graph;
using SyncFunctions.Orchestration.Service;
using SyncFunctions.Orchestration;
using SyncFunctions.Orchestration.Hosting;

namespace SyncFunctions.App.Composition;

/// <summary>
/// The app's composition root: the settings, the storage account (ledger tables, retry-wrapped, and blob endpoints),
/// the Graph connections, the endpoint registry (local, blob, graph schemes), the pairs' run steps and endpoint
/// parsing. Nothing here is Functions-specific but the DI registration.
/// </summary>
public static class AppComposition
{
    /// <summary>How long a run's coordinator lease lasts: its orchestration renews it between batches (as under <c>serve</c>).</summary>
    public static readonly TimeSpan CoordinatorLease = TimeSpan.FromMinutes(10);

    /// <summary>Transfers one work-item activity runs at once.</summary>
    public const int ParallelPerActivity = 8;

    /// <summary>Registers the app's services: one <see cref="AppHost"/> and the run steps the activities take.</summary>
    public static IServiceCollection AddSyncFunctionsApp(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var time = sp.GetRequiredService<TimeProvider>();
            var logs = sp.GetRequiredService<ILoggerFactory>();
            var owner = new OwnerIdentity(Environment.MachineName, Environment.ProcessId, time.GetUtcNow());
            return new AppHost(ct => CreateAsync(AppSettings.From(), logs, time, owner, ct), owner);
        });
        services.AddSingleton(sp => sp.GetRequiredService<AppHost>().Steps);
        return services;
    }

    /// <summary>Composes the services from <paramref name="settings"/> and creates the ledger's tables when new.</summary>
    /// <param name="settings">The app settings.</param>
    /// <param name="logs">Logs of the engine and the API.</param>
    /// <param name="time">The clock.</param>
    /// <param name="owner">This process in lease owner ids.</param>
    /// <param name="cancellationToken">Stops the creation of the tables.</param>
    /// <param name="tablePrefix">Prefix of the ledger's table names (tests isolate themselves with it; the app uses none, as the CLI).</param>
    public static async Task<AppServices> CreateAsync(AppSettings settings, ILoggerFactory logs, TimeProvider time, OwnerIdentity owner, CancellationToken cancellationToken, string tablePrefix = "")
    {
        ArgumentNullException.ThrowIfNull(settings);
        var connection = AzureStorageConnection.Create(settings.StorageConnection);
        var graph = new AppGraphAccounts(settings.GraphCredentials, time);
        var blob = new BlobEndpointScheme(new AppBlobAccounts(connection), time);
        var registry = new EndpointRegistry([new LocalEndpointScheme(time), blob, new RepositoryEndpointScheme(blob, time), new GraphEndpointScheme(graph.Open)]);
        var env = new EngineEnvironment(time, owner, new NoSameHostLiveness(), logs, Settings: new StepSettings { CoordinatorLease = CoordinatorLease });
        var policy = RetryDecorators.PolicyFor(time, env.Steps, logs.CreateLogger("SyncFunctions.Retry"));
        var ledger = RetryDecorators.Ledger(TableLedger.Create(connection, tablePrefix), policy);
        await ledger.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var placement = new AppEndpointPlacement(connection.BlobEndpoint, settings.GraphUrl, settings.GraphCredentials);
        var steps = new EndpointStepsProvider(ledger, registry, env, policy, ParallelPerActivity);
        var endpoints = new RegistryPairEndpoints(registry, Environment.CurrentDirectory, placement.Place);
        return new AppServices(ledger, steps, endpoints, time, settings.PublicUrl, logs)
        {
            ChangeSubscriptions = new GraphChangeSubscriptions(graph.Open),
            BlobAccounts = [new BlobAccountAlias(connection.BlobEndpoint, connection.BlobEndpoint)],
            RepositoryRoots = new RegistryRepositoryRoots(registry, policy),
            Destinations = new RegistryPairDestinations(ledger, registry, policy),
        };
    }

    /// <summary>
    /// Function instances come and go and share no process table: whether a run's owner lives is never known here,
    /// so its heartbeat and leases decide.
    /// </summary>
    private sealed class NoSameHostLiveness : IOwnerLiveness
    {
        public bool? IsAlive(string host, int pid, DateTimeOffset started) => null;
    }
}
