using System.CommandLine;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Retry;
using SyncFunctions.Graph;
using SyncFunctions.Orchestration.Service;
using SyncFunctions.Orchestration.Hosting;
using SyncFunctions.Orchestration.Timers;
using SyncFunctions.Serve;

namespace SyncFunctions.Cli.Commands;

/// <summary><c>syncfn serve [--port P] [--storage C] [--public-url URL] [--workers N]</c> and <c>syncfn serve key</c>.</summary>
internal static class ServeCommand
{
    /// <summary>How long a run's coordinator lease lasts under <c>serve</c>: its orchestration renews it between batches.</summary>
    private static readonly TimeSpan CoordinatorLease = TimeSpan.FromMinutes(10);

    public static Command Create(StopSignals signals)
    {
        var port = new Option<int>("--port") { Description = "Loopback port of the HTTP API (0: a free port).", HelpName = "PORT" };
        var publicUrl = new Option<string?>("--public-url")
        {
            Description = "Base URL that Graph and Event Grid call and that status URLs use (default: the listening URL).",
            HelpName = "URL",
        };
        var taskHub = new Option<string>("--task-hub")
        {
            Description = "Durable task hub name (3-45 letters and digits, starting with a letter); serve processes and the Functions app with the same name on one account share runs.",
            DefaultValueFactory = _ => DurableHostOptions.DefaultTaskHub,
            HelpName = "NAME",
        };
        var workers = new Option<int>("--workers") { Description = "Activities this process runs at once (1..100).", DefaultValueFactory = _ => 8, HelpName = "N" };
        var gcSchedule = new Option<string>("--gc-schedule")
        {
            Description = "When the snapshot repositories' garbage collection runs: six-field cron, UTC (seconds first), or 'off'.",
            DefaultValueFactory = _ => TimerSchedules.RepositoryGc,
            HelpName = "CRON",
        };
        var compactSchedule = new Option<string>("--compact-schedule")
        {
            Description = "When the snapshot repositories' compaction runs: six-field cron, UTC (seconds first), or 'off'.",
            DefaultValueFactory = _ => TimerSchedules.RepositoryCompact,
            HelpName = "CRON",
        };
        var (storage, ledger, verbose) = (CommonOptions.Storage(), CommonOptions.Ledger(), CommonOptions.Verbose());
        var networkTimeout = CommonOptions.NetworkTimeout();
        var command = new Command(
            "serve",
            "Run the sync service: named pairs' runs as durable orchestrations on the storage account's task hub, and the HTTP API (/api/...) " +
            "on a loopback port. Several serve processes on one account share the work. Requests carry the API key ($" + ApiKey.EnvironmentVariable +
            ", else generated; see 'serve key') as header x-functions-key or query parameter code.")
        {
            port, publicUrl, workers, taskHub, gcSchedule, compactSchedule, storage, ledger, networkTimeout, verbose,
        };
        command.Add(CreateKey());
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, json: false, r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            var (listenPort, workerCount) = (r.GetValue(port), r.GetValue(workers));
            if (listenPort is < 0 or > 65535)
            {
                throw new UsageException($"--port must be between 0 and 65535 (got {listenPort})");
            }

            if (workerCount is < 1 or > 100)
            {
                throw new UsageException($"--workers must be between 1 and 100 (got {workerCount})");
            }

            var gc = ScheduleOption(r.GetValue(gcSchedule)!, "--gc-schedule");
            var compact = ScheduleOption(r.GetValue(compactSchedule)!, "--compact-schedule");
            var hub = r.GetValue(taskHub)!;
            if (hub.Length is < 3 or > 45 || !char.IsAsciiLetter(hub[0]) || !hub.All(char.IsAsciiLetterOrDigit))
            {
                throw new UsageException($"--task-hub '{hub}' must be 3 to 45 ASCII letters and digits, starting with a letter");
            }

            Uri? url = null;
            if (r.GetValue(publicUrl) is { } text && (!Uri.TryCreate(text, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https")))
            {
                throw new UsageException($"--public-url '{text}' is not an absolute http(s) URL");
            }

            host.UseNetworkTimeout(NetworkTimeouts.From(r.GetValue(networkTimeout)));
            var connections = ConnectionChoice.From(r.GetValue(storage), r.GetValue(ledger)).Validate();
            var accounts = await ResolvedAccounts.ResolveAsync(connections, needStorage: true, host, interrupt).ConfigureAwait(false);
            var settings = (ItemLeaseOverride.From() ?? StepSettings.Default) with { CoordinatorLease = CoordinatorLease };
            var env = new EngineEnvironment(host.Time, ProcessOwner.Current(host.Time), new ProcessOwner(), host.LoggerFactory, Settings: settings);
            var policy = RetryDecorators.PolicyFor(env.Time, env.Steps, host.LoggerFactory.CreateLogger("SyncFunctions.Retry"));
            var ledgerStore = RetryDecorators.Ledger(host.Azure.CreateLedger(accounts.Ledger), policy);
            await ledgerStore.InitializeAsync(interrupt).ConfigureAwait(false);
            var storageAccount = host.Azure.UseStorage(accounts.Storage, accounts.StorageIsEmbedded);
            using var steps = new EndpointStepsProvider(ledgerStore, host.Endpoints, env, policy, workerCount);
            var services = new ServeServices(ledgerStore, steps, new CliPairEndpoints(storageAccount, connections, host, Environment.CurrentDirectory), host.Time)
            {
                Subscriptions = new GraphChangeSubscriptions(host.Graph.Open),
                // Blob events name the account by its real blob endpoint; pairs by its identity (the embedded Azurite's stand-in).
                BlobAccounts = storageAccount is null ? [] : [new BlobAccountAlias(host.Azure.Open(accounts.Storage!).BlobEndpoint, storageAccount)],
                RepositoryRoots = new RegistryRepositoryRoots(host.Endpoints, policy),
                Destinations = new RegistryPairDestinations(ledgerStore, host.Endpoints, policy),
            };
            host.StoppingNote = "stopping; runs in flight continue on the next serve of this task hub";
            await ServeHost.RunAsync(new ServeOptions(listenPort, accounts.Ledger, RepoLocator.StateDirectory(), url, workerCount, hub) { ActivityVisibility = settings.ItemLease * 1.5, GcSchedule = gc, CompactSchedule = compact }, services, Console.Out, host.LoggerFactory, interrupt)
                .ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>A timer's schedule as given: six-field cron, or null for 'off'.</summary>
    private static string? ScheduleOption(string text, string flag) =>
        string.Equals(text, "off", StringComparison.OrdinalIgnoreCase) ? null
        : PairService.ScheduleProblem(text) is { } problem ? throw new UsageException($"{flag}: {problem}, or 'off'")
        : text;

    private static Command CreateKey()
    {
        var command = new Command("key", "Print the API key of serve ($" + ApiKey.EnvironmentVariable + ", else the one generated in the state folder).");
        command.SetAction(_ =>
        {
            Console.Out.WriteLine(ApiKey.Load(RepoLocator.StateDirectory()).Value);
            return ExitCodes.Ok;
        });
        return command;
    }
}
