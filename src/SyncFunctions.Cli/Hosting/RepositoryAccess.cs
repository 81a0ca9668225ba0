using Microsoft.Extensions.Logging;
using SyncFunctions.Abstractions;
using SyncFunctions.Cli.Commands;
using SyncFunctions.Core.Retry;
using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Destination;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Cli.Hosting;

/// <summary>
/// A snapshot repository as a CLI command opens it: <c>repo:CONTAINER[/PREFIX]</c> on the command's storage account
/// (--storage, else the embedded Azurite), its store wrapped once in the retry policy, the pairs' names from the ledger.
/// </summary>
/// <param name="Repository">The open repository.</param>
/// <param name="Reader">Its reader.</param>
/// <param name="Text">The repository as written.</param>
/// <param name="StorageAccount">The storage account identity the command uses (for other endpoints, e.g. a restore's destination).</param>
internal sealed record RepositoryAccess(SnapshotRepository Repository, SnapshotReader Reader, string Text, Uri StorageAccount)
{
    /// <summary>Opens the repository written as <paramref name="text"/>.</summary>
    /// <exception cref="UsageException">It is not written as a repository.</exception>
    /// <exception cref="FatalException">There is no repository there, or its config or an index is damaged.</exception>
    public static async Task<RepositoryAccess> OpenAsync(CommandHost host, string text, string? storage, CancellationToken cancellationToken)
    {
        var (root, account) = await RootAsync(host, text, storage, cancellationToken).ConfigureAwait(false);
        var repository = await Guard(() => SnapshotRepository.OpenAsync(root, cancellationToken)).ConfigureAwait(false);
        return new RepositoryAccess(repository, new SnapshotReader(repository), text, account);
    }

    /// <summary>The store holding the repository written as <paramref name="text"/> (retried), without opening it.</summary>
    /// <exception cref="UsageException">It is not written as a repository.</exception>
    public static async Task<(IObjectStore Root, Uri StorageAccount)> RootAsync(CommandHost host, string text, string? storage, CancellationToken cancellationToken)
    {
        var endpoint = SyncCommand.ParseEndpoint(host.Endpoints, text, "repository", Environment.CurrentDirectory);
        if (endpoint.Scheme != RepositoryEndpointScheme.SchemeName)
        {
            throw new UsageException($"'{text}' is not a snapshot repository: write it as repo:CONTAINER[/PREFIX]");
        }

        var choice = ConnectionChoice.From(storage, null).Validate();
        var connection = await ResolvedAccounts.ResolveStorageAsync(choice, host, cancellationToken).ConfigureAwait(false);
        var account = host.Azure.UseStorage(connection, embedded: choice.Storage is null)!;
        var destination = (RepositoryDestination)host.Endpoints.CreateStore(CliEndpoints.OnStorage(endpoint, account));
        var policy = RetryDecorators.PolicyFor(host.Time, log: host.LoggerFactory.CreateLogger("SyncFunctions.Retry"));
        return (RetryDecorators.Store(destination.Root, policy), account);
    }

    /// <summary>Runs a repository operation, turning a missing or damaged repository into a clear fatal error.</summary>
    public static async Task<T> Guard<T>(Func<Task<T>> operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (SnapshotRepositoryException e)
        {
            throw new FatalException(e.Message, e);
        }
        catch (RepositoryFormatException e)
        {
            throw new FatalException($"the repository is damaged: {e.Message} (syncfn repo verify lists all damage)", e);
        }
    }

    /// <summary>The snapshots, oldest first.</summary>
    public Task<IReadOnlyList<StoredSnapshot>> ListAsync(CancellationToken cancellationToken) => Guard(() => Reader.ListAsync(cancellationToken));

    /// <summary>The snapshot <paramref name="text"/> names (id, unique prefix or <c>latest</c>, of <paramref name="pairId"/> when given).</summary>
    /// <exception cref="FatalException">No snapshot or several match.</exception>
    public async Task<StoredSnapshot> FindAsync(string text, string? pairId, CancellationToken cancellationToken) =>
        SnapshotSelector.Find(await ListAsync(cancellationToken).ConfigureAwait(false), text, pairId, out var error)
        ?? throw new FatalException($"{Text}: {error}") { ExitCode = ExitCodes.NotFound };

    /// <summary>Pair ids → names from the ledger's pair definitions (empty when the ledger cannot be read: ids are shown then).</summary>
    public static async Task<IReadOnlyDictionary<string, string>> PairNamesAsync(CommandHost host, string? storage, string? ledger, CancellationToken cancellationToken)
    {
        try
        {
            var access = await PairCatalogAccess.OpenAsync(ConnectionChoice.From(storage, ledger).Validate(), needStorage: false, host, cancellationToken).ConfigureAwait(false);
            var names = new Dictionary<string, string>(StringComparer.Ordinal);
            await foreach (var definition in access.Ledger.ListDefinitionsAsync(cancellationToken).ConfigureAwait(false))
            {
                names[definition.PairId] = definition.Name;
            }

            return names;
        }
        catch (StorageException e)
        {
            host.Logger.LogWarning("pair names are not shown: the ledger could not be read ({Error})", e.Message);
            return new Dictionary<string, string>();
        }
    }
}
