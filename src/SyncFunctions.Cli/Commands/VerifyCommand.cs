using System.CommandLine;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Cli.Output;
using SyncFunctions.Core.Engine;
using SyncFunctions.Core.Verify;

namespace SyncFunctions.Cli.Commands;

/// <summary><c>syncfn verify SOURCE DESTINATION [--deep]</c>: compares both sides and lists every difference.</summary>
internal static class VerifyCommand
{
    public static Command Create(StopSignals signals)
    {
        var source = new Argument<string>("source") { Description = SyncCommand.EndpointHelp };
        var destination = new Argument<string>("destination") { Description = SyncCommand.EndpointHelp };
        var deep = new Option<bool>("--deep") { Description = "Download and re-hash both sides instead of trusting sizes and stored hashes." };
        var storage = CommonOptions.Storage();
        var networkTimeout = CommonOptions.NetworkTimeout();
        var json = CommonOptions.Json();
        var verbose = CommonOptions.Verbose();
        var (graphUrl, sourceGraphUrl, destinationGraphUrl) = (CommonOptions.GraphUrl(), CommonOptions.SourceGraphUrl(), CommonOptions.DestinationGraphUrl());
        var command = new Command("verify", "Compare SOURCE and DESTINATION; exit 0 when they match, 1 when they differ.")
        {
            source, destination, deep, storage, networkTimeout, graphUrl, sourceGraphUrl, destinationGraphUrl, json, verbose,
        };
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            host.UseNetworkTimeout(NetworkTimeouts.From(r.GetValue(networkTimeout)));
            var cwd = Environment.CurrentDirectory;
            var graph = GraphChoice.From(r.GetValue(graphUrl), r.GetValue(sourceGraphUrl), r.GetValue(destinationGraphUrl));
            var sourceSpec = graph.Check(SyncCommand.ParseEndpoint(r.GetValue(source)!, "source", cwd), isSource: true);
            var destinationSpec = graph.Check(SyncCommand.ParseEndpoint(r.GetValue(destination)!, "destination", cwd), isSource: false);
            var choice = ConnectionChoice.From(r.GetValue(storage), null).Validate();
            foreach (var spec in new[] { sourceSpec, destinationSpec })
            {
                if (spec.Kind == EndpointKind.Local && !Directory.Exists(spec.LocalPath))
                {
                    throw new FatalException($"folder '{spec.LocalPath}' does not exist");
                }
            }

            string? storageConnection = null;
            if (sourceSpec.Kind == EndpointKind.Blob || destinationSpec.Kind == EndpointKind.Blob)
            {
                storageConnection = await ResolvedAccounts.ResolveStorageAsync(choice, host, interrupt).ConfigureAwait(false);
            }

            var sourceStore = StoreFactory.Create(sourceSpec, storageConnection, graph.SourceUrl, host.Azure, host.Graph, host.Time);
            var destinationStore = StoreFactory.Create(destinationSpec, storageConnection, graph.DestinationUrl, host.Azure, host.Graph, host.Time);
            var report = await VerifyService.VerifyAsync(sourceStore, destinationStore, r.GetValue(deep), interrupt).ConfigureAwait(false);
            var exitCode = report.IsClean ? ExitCodes.Ok : ExitCodes.ItemsFailed;
            if (host.Json)
            {
                host.WriteJson(JsonOutput.Of(report, exitCode));
            }
            else
            {
                VerifyRunner.Print(host.Stdout, report, host.Terminal);
            }

            return exitCode;
        }));
        return command;
    }
}
