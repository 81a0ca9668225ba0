using System.CommandLine;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Cli.Output;
using SyncFunctions.Core.InProcess;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Cli.Commands;

internal static partial class RunsCommand
{
    /// <summary>
    /// <c>runs join RUN_ID</c>: an extra worker process for a run another process owns. The stores are
    /// rebuilt from the pair's canonical endpoints; blob endpoints must be on the --storage account, Graph
    /// endpoints carry their base URL (credentials come from the environment, as for sync).
    /// </summary>
    private static Command CreateJoin(StopSignals signals)
    {
        var runId = new Argument<string>("run-id") { Description = "The run to work on." };
        var parallel = CommonOptions.Parallel(new SyncOptions().Parallel);
        var (storage, ledger, json, verbose) = (CommonOptions.Storage(), CommonOptions.Ledger(), CommonOptions.Json(), CommonOptions.Verbose());
        var networkTimeout = CommonOptions.NetworkTimeout();
        var command = new Command("join", "Work on an existing run as an extra worker until no claimable work is left.")
        {
            runId, parallel, storage, ledger, networkTimeout, json, verbose,
        };
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            host.UseNetworkTimeout(NetworkTimeouts.From(r.GetValue(networkTimeout)));
            var options = new SyncOptions { Parallel = r.GetValue(parallel) };
            if (options.Validate() is { } problem)
            {
                throw new UsageException(CommonOptions.Describe(problem));
            }

            var id = r.GetValue(runId)!;
            var choice = ConnectionChoice.From(r.GetValue(storage), r.GetValue(ledger)).Validate();
            return await JoinAsync(id, options, choice, host, interrupt).ConfigureAwait(false);
        }));
        return command;
    }

    private static async Task<int> JoinAsync(string runId, SyncOptions options, ConnectionChoice choice, CommandHost host, CancellationToken interrupt)
    {
        var accounts = await ResolvedAccounts.ResolveAsync(choice, needStorage: false, host, interrupt).ConfigureAwait(false);
        var ledger = host.Azure.CreateLedger(accounts.Ledger);
        await ledger.InitializeAsync(interrupt).ConfigureAwait(false);
        var run = await ledger.FindRunAsync(runId, interrupt).ConfigureAwait(false)
            ?? throw new FatalException($"no run with id '{runId}'");
        var pair = await ledger.GetPairAsync(run.PairId, interrupt).ConfigureAwait(false)
            ?? throw new FatalException($"run {runId} belongs to pair {run.PairId}, which is not in the ledger");

        var needStorage = CliEndpoints.NeedsStorage(pair.Source) || CliEndpoints.NeedsStorage(pair.Destination);
        if (needStorage && accounts.Storage is null)
        {
            accounts = await ResolvedAccounts.ResolveAsync(choice, needStorage: true, host, interrupt).ConfigureAwait(false);
        }

        host.Azure.UseStorage(accounts.Storage, accounts.StorageIsEmbedded);
        var source = host.Endpoints.CreateStore(CliEndpoints.FromCanonical(host.Endpoints, pair.Source));
        var destination = host.Endpoints.CreateStore(CliEndpoints.FromCanonical(host.Endpoints, pair.Destination));
        CliLogs.Pair(host.Logger, source.DisplayName, destination.DisplayName, pair.PairId);

        var sink = new ProgressSink();
        var driver = SyncRunner.DriverFor(host, sink, ledger, source, destination);
        return await EngineRun.ExecuteAsync(host, sink, () => driver.JoinAsync(runId, options, interrupt)).ConfigureAwait(false);
    }
}
