using Azure.Storage.Blobs;
using SyncFunctions.Abstractions;
using SyncFunctions.Azure;
using SyncFunctions.Cli.Azurite;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>
/// CLI tests whose ledger must hold nothing but their own named pairs (<c>pairs list</c>, <c>sync --all</c>): each test
/// gets a dedicated Azurite (ledger and blob endpoints alike), since named pairs live in one table per account.
/// </summary>
public abstract class PrivateAzuriteCliTestBase : CliTestBase, IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "syncfn-tests", "pairs-" + Guid.NewGuid().ToString("N"));
    private AzuriteInstance? _private;

    protected PrivateAzuriteCliTestBase(AzuriteFixture azurite)
        : base(azurite)
    {
    }

    /// <summary>The connection string of this test's own Azurite.</summary>
    protected string PrivateStorage => _private?.ConnectionString ?? throw new InvalidOperationException("the private Azurite is not started");

    public async Task InitializeAsync() =>
        _private = await new AzuriteLauncher(RepoPaths.AzuriteTools).StartAsync(_dataDir, detached: false, CancellationToken.None);

    public async Task DisposeAsync()
    {
        if (_private is not null)
        {
            await _private.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    /// <summary>Runs syncfn to completion with --storage (and so the ledger) on this test's Azurite.</summary>
    protected Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(Home.Root, [.. args, "--storage", PrivateStorage]);

    /// <summary>Every run row of this test's ledger.</summary>
    protected async Task<List<RunRecord>> RunRowsAsync()
    {
        using var connection = AzureStorageConnection.Create(PrivateStorage);
        var ledger = TableLedger.Create(connection);
        var rows = new List<RunRecord>();
        await foreach (var run in ledger.ListRunsAsync(null, CancellationToken.None))
        {
            rows.Add(run);
        }

        return rows;
    }

    /// <summary>Blob name to SHA-256 of its content, for every blob of a container on this test's Azurite.</summary>
    protected async Task<SortedDictionary<string, string>> PrivateBlobSnapshotAsync(string container)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var client = new BlobServiceClient(PrivateStorage).GetBlobContainerClient(container);
        if (!await client.ExistsAsync())
        {
            return result;
        }

        await foreach (var blob in client.GetBlobsAsync())
        {
            var content = await client.GetBlobClient(blob.Name).DownloadContentAsync();
            result[blob.Name] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content.Value.Content.ToArray()));
        }

        return result;
    }

    /// <summary>The largest number of runs in progress at one instant, from the rows' CreatedAt and EndedAt.</summary>
    protected static int MostAtOnce(IReadOnlyList<RunRecord> runs) =>
        runs.Count == 0 ? 0 : runs.Max(r => runs.Count(o => o.CreatedAt <= r.CreatedAt && (o.EndedAt ?? DateTimeOffset.MaxValue) > r.CreatedAt));
}
