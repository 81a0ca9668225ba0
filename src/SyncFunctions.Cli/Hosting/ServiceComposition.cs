using SyncFunctions.Cli.Commands;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Cli.Hosting;

/// <summary>Endpoints of named pairs parsed as <c>syncfn sync</c> parses its arguments, into the same canonical forms.</summary>
/// <remarks>
/// <paramref name="storage"/> is the storage account identity <see cref="AzureAccounts.UseStorage"/> gave; <paramref name="graph"/> the
/// Graph base URLs of graph: endpoints (null: from the environment, as serve has no Graph options).
/// </remarks>
internal sealed class CliPairEndpoints(Uri? storage, ConnectionChoice connections, CommandHost host, string baseDirectory, GraphChoice? graph = null) : IPairEndpoints
{
    public (string Source, string Destination) Resolve(string source, string destination)
    {
        try
        {
            var request = SyncCommand.Validate(source, destination, new SyncOptions().Parallel, null, false, null, false, connections, baseDirectory, host.Endpoints, graph);
            return (host.Endpoints.Canonical(CliEndpoints.OnStorage(request.Source, storage)), host.Endpoints.Canonical(CliEndpoints.OnStorage(request.Destination, storage)));
        }
        catch (Exception e) when (e is UsageException or FatalException or InvalidOperationException or ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ServiceInputException(e.Message);
        }
    }
}
