using System.CommandLine;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Cli.Commands;

/// <summary>Options several commands share; each command gets its own instances.</summary>
internal static class CommonOptions
{
    /// <summary>An invalid option in the words of this command line: its flag, then the problem.</summary>
    public static string Describe(OptionProblem problem) => problem.Option switch
    {
        nameof(SyncOptions.Parallel) => "--parallel " + problem.Problem,
        nameof(SyncOptions.ChunkSize) => "--chunk-size " + problem.Problem,
        nameof(SyncOptions.MaxDelete) => "--max-delete " + problem.Problem,
        _ => problem.ToString(),
    };

    public static Option<string?> Storage() => new("--storage")
    {
        Description = "Azure Storage connection string of the account that holds blob: endpoints (default: $SYNCFN_STORAGE, else the embedded Azurite).",
        HelpName = "CONNECTION",
    };

    public static Option<string?> Ledger() => new("--ledger")
    {
        Description = "Connection string of the account that holds the ledger tables (default: the --storage account, else the embedded Azurite).",
        HelpName = "CONNECTION",
    };

    public static Option<string?> NetworkTimeout() => new(Hosting.NetworkTimeouts.OptionName)
    {
        Description = "How long one storage or Graph request may wait for its response, e.g. 30s, 2m or 90 (seconds); 1s..1h. " +
            "An endpoint that refuses the connection or does not answer within it is reported as unreachable " +
            "(default: $" + Hosting.NetworkTimeouts.EnvironmentVariable + ", else 30s).",
        HelpName = "DURATION",
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print exactly one JSON object on stdout (camelCase, enums as strings, with exitCode).",
    };

    public static Option<bool> Verbose() => new("--verbose", "-v")
    {
        Description = "Debug logging on stderr (e.g. every staged chunk).",
    };

    public static Option<int> Parallel(int defaultValue) => new("--parallel", "-p")
    {
        Description = "Number of concurrent workers, 1..100.",
        DefaultValueFactory = _ => defaultValue,
        HelpName = "N",
    };

    public static Option<string?> GraphUrl() => new("--graph-url")
    {
        Description = "Microsoft Graph base URL of graph: endpoints (default: $SYNCFN_GRAPH_URL, else https://graph.microsoft.com/v1.0). " +
            "A loopback URL (e.g. a 'syncfn graph-dev' server) needs no credentials.",
        HelpName = "URL",
    };

    public static Option<string?> SourceGraphUrl() => new("--source-graph-url")
    {
        Description = "Graph base URL of a graph: source only (drive -> drive across two Graph services; default: --graph-url).",
        HelpName = "URL",
    };

    public static Option<string?> DestinationGraphUrl() => new("--destination-graph-url")
    {
        Description = "Graph base URL of a graph: destination only (default: --graph-url).",
        HelpName = "URL",
    };
}
