using Microsoft.Extensions.Logging;
using SyncFunctions.Core.Retry;
using System.CommandLine;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Cli.Output;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Cli.Commands;

/// <summary><c>syncfn runs list|show|cancel|join</c>: run administration on the ledger.</summary>
internal static partial class RunsCommand
{
    /// <summary>Failed and skipped actions <c>runs show</c> lists at most.</summary>
    private const int MaxProblems = 1000;

    public static Command Create(StopSignals signals)
    {
        var command = new Command("runs", "List, inspect, cancel or join runs recorded in the ledger.");
        command.Add(CreateList(signals));
        command.Add(CreateShow(signals));
        command.Add(CreateCancel(signals));
        command.Add(CreateJoin(signals));
        return command;
    }

    private static Command CreateList(StopSignals signals)
    {
        var pair = new Option<string?>("--pair") { Description = "Only runs of this pair id.", HelpName = "ID" };
        var limit = new Option<int>("--limit") { Description = "Show at most this many runs, newest first.", DefaultValueFactory = _ => 20, HelpName = "N" };
        var (storage, ledger, json, verbose) = (CommonOptions.Storage(), CommonOptions.Ledger(), CommonOptions.Json(), CommonOptions.Verbose());
        var networkTimeout = CommonOptions.NetworkTimeout();
        var command = new Command("list", "List runs, newest first.") { pair, limit, storage, ledger, networkTimeout, json, verbose };
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            var admin = await OpenAdminAsync(ConnectionChoice.From(r.GetValue(storage), r.GetValue(ledger)), r.GetValue(networkTimeout), host, interrupt).ConfigureAwait(false);
            var runs = await admin.ListAsync(r.GetValue(pair), Math.Max(1, r.GetValue(limit)), interrupt).ConfigureAwait(false);
            if (host.Json)
            {
                host.WriteJson(JsonOutput.Of(new { runs }, ExitCodes.Ok));
            }
            else
            {
                RunsPrinter.PrintList(host.Stdout, runs);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command CreateShow(StopSignals signals)
    {
        var runId = new Argument<string>("run-id") { Description = "The run id (printed as 'run RUN_ID started')." };
        var (storage, ledger, json, verbose) = (CommonOptions.Storage(), CommonOptions.Ledger(), CommonOptions.Json(), CommonOptions.Verbose());
        var networkTimeout = CommonOptions.NetworkTimeout();
        var command = new Command("show", "Show a run: status, owner, heartbeat, counters, failed actions and the pair's carry-over set.")
        {
            runId, storage, ledger, networkTimeout, json, verbose,
        };
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            var admin = await OpenAdminAsync(ConnectionChoice.From(r.GetValue(storage), r.GetValue(ledger)), r.GetValue(networkTimeout), host, interrupt).ConfigureAwait(false);
            var id = r.GetValue(runId)!;
            var details = await admin.ShowAsync(id, MaxProblems, interrupt).ConfigureAwait(false)
                ?? throw new FatalException($"no run with id '{id}'");
            if (host.Json)
            {
                host.WriteJson(JsonOutput.Of(details, ExitCodes.Ok));
            }
            else
            {
                RunsPrinter.PrintDetails(host.Stdout, details);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command CreateCancel(StopSignals signals)
    {
        var runId = new Argument<string>("run-id") { Description = "The run to cancel." };
        var (storage, ledger, json, verbose) = (CommonOptions.Storage(), CommonOptions.Ledger(), CommonOptions.Json(), CommonOptions.Verbose());
        var networkTimeout = CommonOptions.NetworkTimeout();
        var command = new Command("cancel", "Cancel a run: its live workers stop and end it; a dead owner's run is ended at once.")
        {
            runId, storage, ledger, networkTimeout, json, verbose,
        };
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            var admin = await OpenAdminAsync(ConnectionChoice.From(r.GetValue(storage), r.GetValue(ledger)), r.GetValue(networkTimeout), host, interrupt).ConfigureAwait(false);
            var id = r.GetValue(runId)!;
            var result = await admin.CancelAsync(id, new ProcessOwner(), StepSettings.Default.CoordinatorLease, interrupt).ConfigureAwait(false);
            var (exitCode, text) = result.Kind switch
            {
                CancelResultKind.NotFound => (ExitCodes.Fatal, $"no run with id '{id}'"),
                CancelResultKind.AlreadyEnded => (ExitCodes.Ok, $"run {id} had already ended ({result.Run!.Status})"),
                CancelResultKind.Requested => (ExitCodes.Ok, $"run {id}: cancel requested; its owner {result.Run!.OwnerHost}:{result.Run.OwnerPid} stops and ends it"),
                _ => (ExitCodes.Ok, $"run {id} cancelled (its owner was not running); the pair is free"),
            };
            if (host.Json)
            {
                host.WriteJson(JsonOutput.Of(new { result = result.Kind, runId = id, status = result.Run?.Status, message = text }, exitCode));
            }
            else
            {
                Console.Out.WriteLine(text);
            }

            if (exitCode != ExitCodes.Ok)
            {
                Console.Error.WriteLine($"syncfn: {text}");
            }

            return exitCode;
        }));
        return command;
    }

    private static async Task<RunAdmin> OpenAdminAsync(ConnectionChoice choice, string? networkTimeout, CommandHost host, CancellationToken cancellationToken)
    {
        host.UseNetworkTimeout(NetworkTimeouts.From(networkTimeout));
        var accounts = await ResolvedAccounts.ResolveAsync(choice.Validate(), needStorage: false, host, cancellationToken).ConfigureAwait(false);
        // Run admin goes through the same retry decorator as every other ledger call of the CLI.
        var policy = RetryDecorators.PolicyFor(host.Time, log: host.LoggerFactory.CreateLogger("SyncFunctions.Retry"));
        var ledger = RetryDecorators.Ledger(host.Azure.CreateLedger(accounts.Ledger), policy);
        await ledger.InitializeAsync(cancellationToken).ConfigureAwait(false);
        return new RunAdmin(ledger, host.Time);
    }
}
