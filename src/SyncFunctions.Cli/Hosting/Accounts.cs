using SyncFunctions.Cli.Azurite;
using SyncFunctions.Cli.Commands;

namespace SyncFunctions.Cli.Hosting;

/// <summary>
/// The storage and ledger connection strings as given (options or $SYNCFN_STORAGE), before anything is
/// contacted. Null means "the embedded Azurite".
/// </summary>
internal sealed record ConnectionChoice(string? Storage, string? Ledger, bool StorageFromEnvironment)
{
    public const string EnvironmentVariable = "SYNCFN_STORAGE";

    /// <summary>--storage, else $SYNCFN_STORAGE; --ledger, else the storage account.</summary>
    public static ConnectionChoice From(string? storageOption, string? ledgerOption)
    {
        var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        var useEnv = string.IsNullOrWhiteSpace(storageOption) && !string.IsNullOrWhiteSpace(fromEnv);
        var storage = string.IsNullOrWhiteSpace(storageOption) ? (useEnv ? fromEnv : null) : storageOption;
        var ledger = string.IsNullOrWhiteSpace(ledgerOption) ? storage : ledgerOption;
        return new ConnectionChoice(storage, ledger, useEnv);
    }

    /// <summary>Checks the syntax of both connection strings; throws <see cref="UsageException"/> naming the option.</summary>
    public ConnectionChoice Validate()
    {
        if (Storage is not null && AzureAccounts.ValidateConnectionString(Storage) is { } storageProblem)
        {
            throw new UsageException($"{(StorageFromEnvironment ? "$" + EnvironmentVariable : "--storage")}: {storageProblem}");
        }

        if (Ledger is not null && !ReferenceEquals(Ledger, Storage) && AzureAccounts.ValidateConnectionString(Ledger) is { } ledgerProblem)
        {
            throw new UsageException($"--ledger: {ledgerProblem}");
        }

        return this;
    }
}

/// <summary>Connection strings ready to use: the embedded Azurite filled in where nothing was given.</summary>
/// <param name="Storage">The account of blob endpoints (null when none is needed).</param>
/// <param name="Ledger">The account of the ledger tables.</param>
/// <param name="StorageIsEmbedded">Storage is the embedded Azurite, whose ports change across restarts.</param>
internal sealed record ResolvedAccounts(string? Storage, string Ledger, bool StorageIsEmbedded = false)
{
    /// <summary>Starts (or reuses) the embedded Azurite only when a needed account was not given.</summary>
    public static async Task<ResolvedAccounts> ResolveAsync(ConnectionChoice choice, bool needStorage, CommandHost host, CancellationToken cancellationToken)
    {
        var embedded = (needStorage && choice.Storage is null) || choice.Ledger is null
            ? await EmbeddedAsync(host, cancellationToken).ConfigureAwait(false)
            : null;
        var storageIsEmbedded = needStorage && choice.Storage is null;
        return new ResolvedAccounts(choice.Storage ?? (needStorage ? embedded : null), choice.Ledger ?? embedded!, storageIsEmbedded);
    }

    /// <summary>The storage account alone (no ledger needed): the given one, else the embedded Azurite.</summary>
    public static async Task<string> ResolveStorageAsync(ConnectionChoice choice, CommandHost host, CancellationToken cancellationToken) =>
        choice.Storage ?? await EmbeddedAsync(host, cancellationToken).ConfigureAwait(false);

    private static async Task<string> EmbeddedAsync(CommandHost host, CancellationToken cancellationToken)
    {
        var azurite = new EmbeddedAzurite(RepoLocator.StateDirectory(), host.Time);
        EmbeddedAzuriteState state;
        bool startedNow;
        try
        {
            (state, startedNow) = await azurite.EnsureRunningAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or UnauthorizedAccessException)
        {
            throw new FatalException($"cannot start the embedded Azurite: {e.Message}", e);
        }

        if (startedNow)
        {
            CliLogs.StartedEmbeddedAzurite(host.Logger, state.Pid, state.BlobPort, state.DataDirectory);
        }
        else
        {
            CliLogs.UsingEmbeddedAzurite(host.Logger, state.Pid, state.BlobPort, state.DataDirectory);
        }

        return state.ConnectionString;
    }
}
