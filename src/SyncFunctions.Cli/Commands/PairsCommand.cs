using System.CommandLine;
using Spectre.Console;
using SyncFunctions.Abstractions;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Cli.Output;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Cli.Commands;

/// <summary>
/// <c>syncfn pairs add|list|show|remove</c>: the named pairs of the ledger account, through the same service <c>serve</c>
/// answers <c>/api/pairs</c> with, so both see the same pairs.
/// </summary>
internal static class PairsCommand
{
    public static Command Create(StopSignals signals)
    {
        var command = new Command("pairs", "Add, list, show or remove named pairs (stored in the ledger account; 'sync NAME' and 'serve' run them).");
        command.Add(CreateAdd(signals));
        command.Add(CreateList(signals));
        command.Add(CreateShow(signals));
        command.Add(CreateRemove(signals));
        return command;
    }

    private static Argument<string> NameArgument() => new("name")
    {
        Description = $"The pair's name: up to {PairNames.MaxLength} ASCII letters, digits, '-', '_' and '.', starting with a letter or digit.",
    };

    private static Command CreateAdd(StopSignals signals)
    {
        var name = NameArgument();
        var source = new Argument<string>("source") { Description = SyncCommand.EndpointHelp };
        var destination = new Argument<string>("destination") { Description = "Where SOURCE goes (same forms as SOURCE)." };
        var schedule = new Option<string?>("--schedule")
        {
            Description = "Reconciliation runs under 'serve': a six-field cron expression in UTC, seconds first, e.g. \"0 */15 * * * *\".",
            HelpName = "CRON",
        };
        var subscribe = new Option<bool>("--subscribe") { Description = "Run on the source's change notifications (Graph subscriptions) under 'serve'." };
        var flags = new SyncFlags(withDryRun: false);
        var (storage, ledger, networkTimeout, json, verbose) = (CommonOptions.Storage(), CommonOptions.Ledger(), CommonOptions.NetworkTimeout(), CommonOptions.Json(), CommonOptions.Verbose());
        var (graphUrl, sourceGraphUrl, destinationGraphUrl) = (CommonOptions.GraphUrl(), CommonOptions.SourceGraphUrl(), CommonOptions.DestinationGraphUrl());
        var command = new Command("add", "Add a named pair: SOURCE into DESTINATION with the run options given (sync's flags); 'sync NAME' runs it.")
        {
            name, source, destination, schedule, subscribe,
        };
        foreach (var option in flags.All.Concat([storage, ledger, networkTimeout, graphUrl, sourceGraphUrl, destinationGraphUrl, json, verbose]))
        {
            command.Add(option);
        }

        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            host.UseNetworkTimeout(NetworkTimeouts.From(r.GetValue(networkTimeout)));
            var overrides = flags.Given(r);
            var pairName = CheckName(r.GetValue(name));
            var cron = r.GetValue(schedule);
            if (cron is not null && PairService.ScheduleProblem(cron) is { } problem)
            {
                throw new UsageException("--schedule " + problem);
            }

            var connections = ConnectionChoice.From(r.GetValue(storage), r.GetValue(ledger)).Validate();
            var graph = GraphChoice.From(r.GetValue(graphUrl), r.GetValue(sourceGraphUrl), r.GetValue(destinationGraphUrl));
            var (sourceText, destinationText) = (r.GetValue(source)!, r.GetValue(destination)!);

            // The endpoints are checked as sync checks them, before anything is contacted.
            var endpoints = SyncCommand.Validate(sourceText, destinationText, overrides.ApplyTo(new()).Parallel, null, false, null, false, connections, Environment.CurrentDirectory, host.Endpoints, graph);
            var needStorage = CliEndpoints.NeedsStorage(endpoints.Source) || CliEndpoints.NeedsStorage(endpoints.Destination);
            var catalog = await PairCatalogAccess.OpenAsync(connections, needStorage, host, interrupt, graph).ConfigureAwait(false);
            var request = new PairRequest(pairName, sourceText, destinationText, cron, r.GetValue(subscribe), overrides.ToPairOptions());
            var added = await catalog.Service.AddAsync(request, interrupt).ConfigureAwait(false);
            return Report(host, added, view =>
            {
                host.Stdout.MarkupLine(Markup.Escape($"added pair '{view.Name}'"));
                PairsPrinter.PrintDetails(host.Stdout, view);
            });
        }));
        return command;
    }

    private static Command CreateList(StopSignals signals)
    {
        var (storage, ledger, networkTimeout, json, verbose) = (CommonOptions.Storage(), CommonOptions.Ledger(), CommonOptions.NetworkTimeout(), CommonOptions.Json(), CommonOptions.Verbose());
        var command = new Command("list", "List the named pairs, by name.") { storage, ledger, networkTimeout, json, verbose };
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            var catalog = await OpenAsync(host, r.GetValue(storage), r.GetValue(ledger), r.GetValue(networkTimeout), interrupt).ConfigureAwait(false);
            var pairs = new List<PairView>();
            await foreach (var pair in catalog.Service.ListAsync(interrupt).ConfigureAwait(false))
            {
                pairs.Add(pair);
            }

            if (host.Json)
            {
                host.WriteJson(JsonOutput.Of(new { pairs }, ExitCodes.Ok));
            }
            else
            {
                PairsPrinter.PrintList(host.Stdout, pairs);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command CreateShow(StopSignals signals)
    {
        var name = NameArgument();
        var (storage, ledger, networkTimeout, json, verbose) = (CommonOptions.Storage(), CommonOptions.Ledger(), CommonOptions.NetworkTimeout(), CommonOptions.Json(), CommonOptions.Verbose());
        var command = new Command("show", "Show a named pair: endpoints, schedule, options and its active run.") { name, storage, ledger, networkTimeout, json, verbose };
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            var pairName = CheckName(r.GetValue(name));
            var catalog = await OpenAsync(host, r.GetValue(storage), r.GetValue(ledger), r.GetValue(networkTimeout), interrupt).ConfigureAwait(false);
            var shown = await catalog.Service.GetAsync(pairName, interrupt).ConfigureAwait(false);
            return Report(host, shown, view => PairsPrinter.PrintDetails(host.Stdout, view));
        }));
        return command;
    }

    private static Command CreateRemove(StopSignals signals)
    {
        var name = NameArgument();
        var (storage, ledger, networkTimeout, json, verbose) = (CommonOptions.Storage(), CommonOptions.Ledger(), CommonOptions.NetworkTimeout(), CommonOptions.Json(), CommonOptions.Verbose());
        var command = new Command("remove", "Remove a named pair (not while one of its runs is active). Its baseline and run history stay: adding it again resumes from them.")
        {
            name, storage, ledger, networkTimeout, json, verbose,
        };
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            var pairName = CheckName(r.GetValue(name));
            var catalog = await OpenAsync(host, r.GetValue(storage), r.GetValue(ledger), r.GetValue(networkTimeout), interrupt).ConfigureAwait(false);
            var removed = await catalog.Service.RemoveAsync(pairName, interrupt).ConfigureAwait(false);
            return Report(host, removed, view =>
                host.Stdout.MarkupLine(Markup.Escape($"removed pair '{view.Name}' ({view.Source} -> {view.Destination}); its baseline and run history stay in the ledger")));
        }));
        return command;
    }

    /// <summary>A valid pair name, else <see cref="UsageException"/> (before anything is contacted).</summary>
    private static string CheckName(string? name) =>
        PairNames.Validate(name) is { } problem ? throw new UsageException(problem) : name!;

    private static Task<PairCatalogAccess> OpenAsync(CommandHost host, string? storage, string? ledger, string? networkTimeout, CancellationToken cancellationToken)
    {
        host.UseNetworkTimeout(NetworkTimeouts.From(networkTimeout));
        return PairCatalogAccess.OpenAsync(ConnectionChoice.From(storage, ledger).Validate(), needStorage: false, host, cancellationToken);
    }

    /// <summary>A pair for people (<paramref name="print"/>) or as the one JSON object; a problem on stderr with its exit code.</summary>
    private static int Report(CommandHost host, ServiceResult<PairView> result, Action<PairView> print)
    {
        if (!result.Succeeded || result.Value is not { } view)
        {
            var hint = result.Outcome == ServiceOutcome.NotFound ? "; 'syncfn pairs list' shows the named pairs" : "";
            return host.Fail((result.Problem ?? "failed") + hint, ExitCodes.FromService(result.Outcome));
        }

        if (host.Json)
        {
            host.WriteJson(JsonOutput.Of(view, ExitCodes.Ok));
        }
        else
        {
            print(view);
        }

        return ExitCodes.Ok;
    }
}
