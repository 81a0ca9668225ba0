using SyncFunctions.Abstractions;
using SyncFunctions.Abstractions.Endpoints;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Cli.Output;
using SyncFunctions.Core.InProcess;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Stores;

namespace SyncFunctions.Cli.Commands;

/// <summary>Runs a validated sync: resolve accounts, build stores and the ledger, run the engine, report.</summary>
internal static class SyncRunner
{
    public static async Task<int> RunAsync(SyncRequest request, CommandHost host, CancellationToken interrupt)
    {
        CheckLocalEndpoints(request.Source, request.Destination);
        var needStorage = CliEndpoints.NeedsStorage(request.Source) || CliEndpoints.NeedsStorage(request.Destination);
        var accounts = await ResolvedAccounts.ResolveAsync(request.Connections, needStorage, host, interrupt).ConfigureAwait(false);
        return await RunResolvedAsync(request, accounts, host, interrupt).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="request"/> on accounts already resolved (by <see cref="RunAsync"/>, or once for every pair of
    /// <c>sync --all</c>); a named pair's endpoints come back from its canonical forms and take this same path.
    /// </summary>
    public static async Task<int> RunResolvedAsync(SyncRequest request, ResolvedAccounts accounts, CommandHost host, CancellationToken interrupt)
    {
        CheckLocalEndpoints(request.Source, request.Destination);
        var ledger = host.Azure.CreateLedger(accounts.Ledger);
        var storage = host.Azure.UseStorage(accounts.Storage, accounts.StorageIsEmbedded);
        var (sourceEndpoint, destinationEndpoint) = (CliEndpoints.OnStorage(request.Source, storage), CliEndpoints.OnStorage(request.Destination, storage));
        var source = host.Endpoints.CreateStore(sourceEndpoint);
        var destination = host.Endpoints.CreateStore(destinationEndpoint);
        var canonicalSource = host.Endpoints.Canonical(sourceEndpoint);
        var canonicalDestination = host.Endpoints.Canonical(destinationEndpoint);
        var pairId = PairIdentity.Compute(canonicalSource, canonicalDestination);
        CliLogs.Pair(host.Logger, source.DisplayName, destination.DisplayName, pairId);

        // The engine reads or creates the pair (and the tables, only when the pair is new).
        var pair = new PairRecord(pairId, canonicalSource, canonicalDestination, CreatedAt: host.Time.GetUtcNow());

        var sink = new ProgressSink();
        var driver = DriverFor(host, sink, ledger, source, destination);
        return await EngineRun.ExecuteAsync(host, sink, () => driver.SyncAsync(pair, request.Options, interrupt)).ConfigureAwait(false);
    }

    /// <summary>The in-process driver over the stores and the ledger, each wrapped once in the retry policy.</summary>
    public static InProcessDriver DriverFor(CommandHost host, ProgressSink sink, ILedger ledger, IObjectStore source, IObjectStore destination)
        => InProcessDriver.WithRetries(ledger, source, destination, EngineEnvironmentFor(host, sink));

    /// <summary>The engine's view of this process: owner identity, liveness checks, logs and progress.</summary>
    public static EngineEnvironment EngineEnvironmentFor(CommandHost host, ProgressSink sink)
    {
        var owner = ProcessOwner.Current(host.Time);
        return new EngineEnvironment(host.Time, owner, new ProcessOwner(), host.LoggerFactory, sink, ItemLeaseOverride.From());
    }

    /// <summary>A missing local source is fatal before any run starts: mirroring "nothing" would delete everything.</summary>
    private static void CheckLocalEndpoints(SyncEndpoint source, SyncEndpoint destination)
    {
        if (source.Scheme == LocalEndpointScheme.SchemeName && !Directory.Exists(source.Address))
        {
            throw new FatalException(File.Exists(source.Address)
                ? $"source '{source.Address}' is a file; give the folder that holds it"
                : $"source folder '{source.Address}' does not exist");
        }

        if (destination.Scheme == LocalEndpointScheme.SchemeName && File.Exists(destination.Address))
        {
            throw new FatalException($"destination '{destination.Address}' is a file, not a folder");
        }
    }
}

/// <summary>Runs the engine with progress output and reports its summary; shared by sync and runs join.</summary>
internal static class EngineRun
{
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    public static async Task<int> ExecuteAsync(CommandHost host, ProgressSink sink, Func<Task<RunSummary>> start)
    {
        // The engine may work synchronously before its first await; keep the display loop free of it.
        var work = Task.Run(start);
        var summary = host.Terminal
            ? await ProgressDisplay.RunLiveAsync(host.Stdout, sink, work, host.Time).ConfigureAwait(false)
            : await ProgressDisplay.RunLoggedAsync(host.Logger, sink, work, host.Time, LogInterval).ConfigureAwait(false);
        var exitCode = ExitCodes.FromOutcome(summary.Outcome, host.Signals.Signal);
        host.LastSummary = summary;
        Report(host, summary, exitCode);
        return exitCode;
    }

    private static void Report(CommandHost host, RunSummary summary, int exitCode)
    {
        var note = summary.Outcome switch
        {
            RunOutcome.PairBusy => summary.Message ?? "pair busy: another live process is running this pair",
            RunOutcome.Failed => "the run failed: " + (summary.Message ?? "see the log above"),
            RunOutcome.Interrupted => "interrupted: state saved; the next sync of the pair resumes the run",
            RunOutcome.Cancelled => "the run was cancelled",
            RunOutcome.DeletesHeldBack => summary.Message ?? "deletes were held back by --max-delete; they carry over to the next run",
            _ => null,
        };
        if (note is not null)
        {
            host.Error.WriteLine($"syncfn: {Redaction.Redact(note)}");
        }

        if (host.Json)
        {
            host.WriteJson(JsonOutput.Summary(summary, exitCode));
        }
        else
        {
            SummaryPrinter.Print(host.Stdout, summary, exitCode, host.Terminal);
        }
    }
}
