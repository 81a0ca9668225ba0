using System.CommandLine;
using SyncFunctions.Abstractions.Endpoints;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Core.Endpoints;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Snapshots.Destination;

namespace SyncFunctions.Cli.Commands;

/// <summary>A fully validated <c>syncfn sync</c> invocation; <c>Graph</c> (URLs and credentials) is used only by <c>graph:</c> endpoints.</summary>
internal sealed record SyncRequest(SyncEndpoint Source, SyncEndpoint Destination, SyncOptions Options, ConnectionChoice Connections, GraphChoice Graph);

/// <summary><c>syncfn sync SOURCE DESTINATION</c>, <c>sync NAME</c> and <c>sync --all</c>: definition and argument validation.</summary>
internal static class SyncCommand
{
    public static Command Create(StopSignals signals)
    {
        var source = new Argument<string?>("source") { Description = EndpointHelp + " With no DESTINATION: the name of a pair ('syncfn pairs list').", Arity = ArgumentArity.ZeroOrOne };
        var destination = new Argument<string?>("destination") { Description = "Where SOURCE goes (same forms as SOURCE).", Arity = ArgumentArity.ZeroOrOne };
        var flags = new SyncFlags(withDryRun: true);
        var all = new Option<bool>("--all")
        {
            Description = "Run every named pair, at most --parallel N at once (1..100, default 1); each pair's lines are prefixed [NAME]. Exit code: the worst of the pairs'.",
        };
        var storage = CommonOptions.Storage();
        var ledger = CommonOptions.Ledger();
        var networkTimeout = CommonOptions.NetworkTimeout();
        var json = CommonOptions.Json();
        var verbose = CommonOptions.Verbose();
        var (graphUrl, sourceGraphUrl, destinationGraphUrl) = (CommonOptions.GraphUrl(), CommonOptions.SourceGraphUrl(), CommonOptions.DestinationGraphUrl());

        var command = new Command(
            "sync",
            "Sync SOURCE into DESTINATION (a mirror: same relative paths), resuming an unfinished run of the pair. 'sync NAME' runs the named pair " +
            "with its stored options (flags given override them for that run); 'sync --all' runs every named pair.\n\n" + ExitCodes.HelpText)
        {
            source, destination,
        };
        foreach (var option in flags.All)
        {
            command.Add(option);
        }

        foreach (var option in (Option[])[all, storage, ledger, networkTimeout, graphUrl, sourceGraphUrl, destinationGraphUrl, json, verbose])
        {
            command.Add(option);
        }

        command.SetAction((result, cancellationToken) => CommandHost.RunAsync(signals, result.GetValue(json), result.GetValue(verbose), cancellationToken, (host, interrupt) =>
        {
            host.UseNetworkTimeout(NetworkTimeouts.From(result.GetValue(networkTimeout)));
            var connections = ConnectionChoice.From(result.GetValue(storage), result.GetValue(ledger));
            var target = SyncTarget.Parse(result.GetValue(source), result.GetValue(destination), result.GetValue(all));
            if (target.Kind == SyncTargetKind.AllPairs)
            {
                var atOnce = SyncTarget.PairsAtOnce(SyncFlags.IsGiven(result, flags.Parallel) ? result.GetValue(flags.Parallel) : null);
                var overrides = flags.Given(result) with { Parallel = null };
                return AllPairsRunner.RunAsync(atOnce, overrides, connections.Validate(), host, interrupt);
            }

            if (target.Kind == SyncTargetKind.NamedPair)
            {
                return NamedPairRunner.RunAsync(target.Name!, flags.Given(result), connections.Validate(), host, interrupt);
            }

            var request = Validate(
                target.Source!, target.Destination!, result.GetValue(flags.Parallel), result.GetValue(flags.ChunkSize),
                result.GetValue(flags.DryRun!), result.GetValue(flags.MaxDelete), result.GetValue(flags.Force),
                connections, Environment.CurrentDirectory, host.Endpoints,
                GraphChoice.From(result.GetValue(graphUrl), result.GetValue(sourceGraphUrl), result.GetValue(destinationGraphUrl)));
            return SyncRunner.RunAsync(request, host, interrupt);
        }));
        return command;
    }

    /// <summary>What an endpoint argument may be (help text of sync and verify).</summary>
    public const string EndpointHelp =
        "A folder (PATH or local:PATH), blob:CONTAINER[/PREFIX], or a Microsoft 365 drive: graph:DRIVE_ID[/PATH], graph:me[/PATH], " +
        "graph:users/UPN[/PATH] or graph:sites/SITE_ID[/PATH].";

    /// <summary>
    /// Validates every argument before anything is contacted; throws <see cref="UsageException"/>. A null
    /// <c>graph</c> reads the Graph settings from the environment (only <c>graph:</c> endpoints use them). Blob
    /// endpoints are put on their storage account later, when it is resolved.
    /// </summary>
    public static SyncRequest Validate(
        string sourceText, string destinationText, int parallel, string? chunkSizeText, bool dryRun,
        string? maxDeleteText, bool force, ConnectionChoice connections, string baseDirectory, EndpointRegistry endpoints, GraphChoice? graph = null)
    {
        graph ??= GraphChoice.From(null, null, null);
        var source = graph.Check(ParseEndpoint(endpoints, sourceText, "source", baseDirectory), isSource: true);
        var destination = graph.Check(ParseEndpoint(endpoints, destinationText, "destination", baseDirectory), isSource: false);

        if (source.Scheme == RepositoryEndpointScheme.SchemeName)
        {
            throw new UsageException($"source '{source}': {RepositoryEndpointScheme.NotASource}");
        }

        // A folder synced into itself (or its parent) would feed on its own output.
        if (endpoints.Overlaps(source, destination))
        {
            throw new UsageException($"source '{source}' and destination '{destination}' overlap (one is inside the other); choose endpoints outside each other");
        }

        var chunkSize = chunkSizeText is null ? SyncOptions.DefaultChunkSize : SyncOptionOverrides.ParseChunkSize(chunkSizeText);
        var limit = maxDeleteText is null ? null : SyncOptionOverrides.ParseMaxDelete(maxDeleteText);

        var options = new SyncOptions { Parallel = parallel, ChunkSize = chunkSize, DryRun = dryRun, Force = force, MaxDelete = limit };
        if (options.Validate() is { } problem)
        {
            throw new UsageException(CommonOptions.Describe(problem));
        }

        return new SyncRequest(source, destination, options, connections.Validate(), graph);
    }

    /// <summary>Parses an endpoint argument; throws <see cref="UsageException"/> naming which one.</summary>
    public static SyncEndpoint ParseEndpoint(EndpointRegistry endpoints, string text, string role, string baseDirectory) =>
        endpoints.Parse(text, baseDirectory, out var error) ?? throw new UsageException($"{role}: {error}");
}
