using System.CommandLine;
using SyncFunctions.Abstractions.Endpoints;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Core.Endpoints;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Cli.Commands;

/// <summary>A fully validated <c>syncfn sync</c> invocation; <c>Graph</c> (URLs and credentials) is used only by <c>graph:</c> endpoints.</summary>
internal sealed record SyncRequest(SyncEndpoint Source, SyncEndpoint Destination, SyncOptions Options, ConnectionChoice Connections, GraphChoice Graph);

/// <summary><c>syncfn sync SOURCE DESTINATION</c>: definition and argument validation.</summary>
internal static class SyncCommand
{
    public static Command Create(StopSignals signals)
    {
        var source = new Argument<string>("source") { Description = EndpointHelp };
        var destination = new Argument<string>("destination") { Description = EndpointHelp };
        var parallel = CommonOptions.Parallel(new SyncOptions().Parallel);
        var chunkSize = new Option<string?>("--chunk-size")
        {
            Description = "Size of staged blocks for large files, e.g. 4MiB (default), 8M, 512KiB, 1048576; drive upload-session fragments use it rounded down to a multiple of 320 KiB.",
            HelpName = "SIZE",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Plan and report; change nothing." };
        var maxDelete = new Option<string?>("--max-delete")
        {
            Description = "Hold back every delete when a run would delete more than N items or P% of the baseline (exit 5); they carry over.",
            HelpName = "N|P%",
        };
        var force = new Option<bool>("--force") { Description = "Overwrite destination objects that someone else changed." };
        var storage = CommonOptions.Storage();
        var ledger = CommonOptions.Ledger();
        var networkTimeout = CommonOptions.NetworkTimeout();
        var json = CommonOptions.Json();
        var verbose = CommonOptions.Verbose();
        var (graphUrl, sourceGraphUrl, destinationGraphUrl) = (CommonOptions.GraphUrl(), CommonOptions.SourceGraphUrl(), CommonOptions.DestinationGraphUrl());

        var command = new Command("sync", "Sync SOURCE into DESTINATION (a mirror: same relative paths), resuming an unfinished run of the pair.\n\n" + ExitCodes.HelpText)
        {
            source, destination, parallel, chunkSize, dryRun, maxDelete, force, storage, ledger, networkTimeout, graphUrl, sourceGraphUrl, destinationGraphUrl, json, verbose,
        };
        command.SetAction((result, cancellationToken) => CommandHost.RunAsync(signals, result.GetValue(json), result.GetValue(verbose), cancellationToken, (host, interrupt) =>
        {
            host.UseNetworkTimeout(NetworkTimeouts.From(result.GetValue(networkTimeout)));
            var request = Validate(
                result.GetValue(source)!, result.GetValue(destination)!, result.GetValue(parallel), result.GetValue(chunkSize),
                result.GetValue(dryRun), result.GetValue(maxDelete), result.GetValue(force),
                ConnectionChoice.From(result.GetValue(storage), result.GetValue(ledger)), Environment.CurrentDirectory, host.Endpoints,
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

        // A folder synced into itself (or its parent) would feed on its own output.
        if (endpoints.Overlaps(source, destination))
        {
            throw new UsageException($"source '{source}' and destination '{destination}' overlap (one is inside the other); choose endpoints outside each other");
        }

        var chunkSize = SyncOptions.DefaultChunkSize;
        if (chunkSizeText is not null)
        {
            chunkSize = SizeParser.Parse(chunkSizeText, "--chunk-size", out var sizeError) ?? throw new UsageException(sizeError!);
        }

        MaxDeleteLimit? limit = null;
        if (maxDeleteText is not null)
        {
            limit = MaxDeleteLimit.Parse(maxDeleteText, out var deleteError) ?? throw new UsageException("--max-delete " + deleteError);
        }

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
