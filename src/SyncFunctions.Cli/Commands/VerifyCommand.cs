using System.CommandLine;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Cli.Output;
using SyncFunctions.Core.Snapshots.Destination;
using SyncFunctions.Core.Stores;
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
            var sourceEndpoint = graph.Check(SyncCommand.ParseEndpoint(host.Endpoints, r.GetValue(source)!, "source", cwd), isSource: true);
            var destinationEndpoint = graph.Check(SyncCommand.ParseEndpoint(host.Endpoints, r.GetValue(destination)!, "destination", cwd), isSource: false);
            if (sourceEndpoint.Scheme == RepositoryEndpointScheme.SchemeName || destinationEndpoint.Scheme == RepositoryEndpointScheme.SchemeName)
            {
                throw new UsageException("a snapshot repository is checked with 'syncfn repo verify REPO'; its snapshots are compared with 'syncfn snapshots diff'");
            }

            var choice = ConnectionChoice.From(r.GetValue(storage), null).Validate();
            foreach (var endpoint in new[] { sourceEndpoint, destinationEndpoint })
            {
                if (endpoint.Scheme == LocalEndpointScheme.SchemeName && !Directory.Exists(endpoint.Address))
                {
                    throw new FatalException($"folder '{endpoint.Address}' does not exist");
                }
            }

            Uri? storageAccount = null;
            if (CliEndpoints.NeedsStorage(sourceEndpoint) || CliEndpoints.NeedsStorage(destinationEndpoint))
            {
                var storageConnection = await ResolvedAccounts.ResolveStorageAsync(choice, host, interrupt).ConfigureAwait(false);
                storageAccount = host.Azure.UseStorage(storageConnection, embedded: choice.Storage is null);
            }

            var sourceStore = host.Endpoints.CreateStore(CliEndpoints.OnStorage(sourceEndpoint, storageAccount));
            var destinationStore = host.Endpoints.CreateStore(CliEndpoints.OnStorage(destinationEndpoint, storageAccount));
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
