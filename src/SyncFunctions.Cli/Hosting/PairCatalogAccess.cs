using SyncFunctions.Abstractions;
using SyncFunctions.Cli.Commands;
using SyncFunctions.Core.Retry;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Cli.Hosting;

/// <summary>
/// The named pairs of the ledger account as one CLI command sees them: the <see cref="PairService"/> that <c>serve</c>
/// uses too, over the ledger wrapped once in the retry policy, parsing endpoints as <c>syncfn sync</c> does.
/// </summary>
/// <param name="Service">Add, list, show, remove.</param>
/// <param name="Ledger">The retry-wrapped ledger (the catalog of definitions, for running them).</param>
/// <param name="Accounts">The accounts resolved for it.</param>
internal sealed record PairCatalogAccess(PairService Service, ILedger Ledger, ResolvedAccounts Accounts)
{
    /// <summary>
    /// Resolves the accounts (the storage account too when <paramref name="needStorage"/>) and opens the ledger; <paramref name="graph"/>:
    /// the Graph base URLs of endpoints to add (null: from the environment).
    /// </summary>
    public static async Task<PairCatalogAccess> OpenAsync(
        ConnectionChoice connections, bool needStorage, CommandHost host, CancellationToken cancellationToken, GraphChoice? graph = null)
    {
        var accounts = await ResolvedAccounts.ResolveAsync(connections, needStorage, host, cancellationToken).ConfigureAwait(false);
        var policy = RetryDecorators.PolicyFor(host.Time, log: host.LoggerFactory.CreateLogger("SyncFunctions.Retry"));
        var ledger = RetryDecorators.Ledger(host.Azure.CreateLedger(accounts.Ledger), policy);
        await ledger.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var storage = host.Azure.UseStorage(accounts.Storage, accounts.StorageIsEmbedded);
        var service = new PairService(ledger, new CliPairEndpoints(storage, connections, host, Environment.CurrentDirectory, graph), host.Time);
        return new PairCatalogAccess(service, ledger, accounts);
    }

    /// <summary>
    /// The accounts a run of <paramref name="definitions"/> needs: these, or resolved again with the storage account when
    /// one of them has a blob endpoint and none was resolved yet.
    /// </summary>
    public async Task<ResolvedAccounts> AccountsForAsync(
        IEnumerable<PairDefinition> definitions, ConnectionChoice connections, CommandHost host, CancellationToken cancellationToken)
    {
        var needStorage = definitions.Any(d => CliEndpoints.NeedsStorage(d.Source) || CliEndpoints.NeedsStorage(d.Destination));
        return needStorage && Accounts.Storage is null
            ? await ResolvedAccounts.ResolveAsync(connections, needStorage: true, host, cancellationToken).ConfigureAwait(false)
            : Accounts;
    }
}
