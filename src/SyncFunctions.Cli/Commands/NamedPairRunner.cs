using SyncFunctions.Abstractions;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Cli.Commands;

/// <summary>
/// <c>syncfn sync NAME</c>: the named pair's stored canonical endpoints read back on this command's accounts and run as
/// <c>sync SOURCE DESTINATION</c> runs them (same pair id, so the same baseline and runs), with the pair's stored options
/// and the flags given on the command line over them.
/// </summary>
internal static class NamedPairRunner
{
    /// <summary>What an unknown pair name's message adds.</summary>
    public const string ListHint = "'syncfn pairs list' shows the named pairs; 'syncfn pairs add NAME SOURCE DESTINATION' adds one";

    public static async Task<int> RunAsync(string name, SyncOptionOverrides overrides, ConnectionChoice connections, CommandHost host, CancellationToken interrupt)
    {
        var catalog = await PairCatalogAccess.OpenAsync(connections, needStorage: false, host, interrupt).ConfigureAwait(false);
        var found = await catalog.Service.FindAsync(name, interrupt).ConfigureAwait(false);
        if (found.Value is not { } definition)
        {
            return host.Fail($"{found.Problem}; {ListHint}", ExitCodes.FromService(found.Outcome));
        }

        var accounts = await catalog.AccountsForAsync([definition], connections, host, interrupt).ConfigureAwait(false);
        return await RunDefinitionAsync(definition, overrides, accounts, connections, host, interrupt).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="definition"/> on resolved <paramref name="accounts"/> (<c>sync NAME</c>, and each pair of <c>sync --all</c>).</summary>
    public static Task<int> RunDefinitionAsync(
        PairDefinition definition, SyncOptionOverrides overrides, ResolvedAccounts accounts, ConnectionChoice connections, CommandHost host, CancellationToken interrupt)
    {
        // Blob endpoints are read back only on the account they were stored on: it must be in use first.
        host.Azure.UseStorage(accounts.Storage, accounts.StorageIsEmbedded);
        var source = CliEndpoints.FromCanonical(host.Endpoints, definition.Source);
        var destination = CliEndpoints.FromCanonical(host.Endpoints, definition.Destination);
        var options = overrides.ApplyTo(PairService.OptionsOf(definition, "cli"));
        var request = new SyncRequest(source, destination, options, connections, GraphChoice.From(null, null, null));
        return SyncRunner.RunResolvedAsync(request, accounts, host, interrupt);
    }
}
