using Azure.Storage.Blobs;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>
/// Shared set-up of the end-to-end CLI tests: the Azurite of the "azurite" collection, a private
/// SYNCFN_HOME per test, temp folders, unique container names, and syncfn runs against that Azurite.
/// </summary>
public abstract class CliTestBase : IDisposable
{
    private readonly List<TestTree> _trees = [];

    protected CliTestBase(AzuriteFixture azurite)
    {
        Azurite = azurite;
        Home = NewTree("home");
    }

    protected AzuriteFixture Azurite { get; }

    /// <summary>SYNCFN_HOME of every syncfn this test starts (the embedded Azurite is never used here).</summary>
    protected TestTree Home { get; }

    protected string Storage => Azurite.ConnectionString;

    protected TestTree NewTree(string name)
    {
        var tree = TestTree.Create(name);
        _trees.Add(tree);
        return tree;
    }

    /// <summary>A fresh container name (3-63 lower-case letters, digits, hyphens).</summary>
    protected static string NewContainer(string hint) => $"{hint}-{Guid.NewGuid():N}"[..Math.Min(63, hint.Length + 33)];

    protected BlobContainerClient Container(string name) => new BlobServiceClient(Storage).GetBlobContainerClient(name);

    /// <summary>Runs syncfn to completion with --storage pointing at the test Azurite.</summary>
    protected Task<CliResult> Syncfn(params string[] args) => CliRunner.RunAsync(Home.Root, [.. args, "--storage", Storage]);

    /// <summary>Starts syncfn (with --storage) without waiting for it.</summary>
    protected CliRunner StartSyncfn(params string[] args) => CliRunner.Start(Home.Root, [.. args, "--storage", Storage]);

    /// <summary>Blob name to SHA-256 of its content, for every blob of a container.</summary>
    protected async Task<SortedDictionary<string, string>> BlobSnapshotAsync(string container)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var client = Container(container);
        await foreach (var blob in client.GetBlobsAsync())
        {
            var content = await client.GetBlobClient(blob.Name).DownloadContentAsync();
            result[blob.Name] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content.Value.Content.ToArray()));
        }

        return result;
    }

    public void Dispose()
    {
        foreach (var tree in _trees)
        {
            tree.Dispose();
        }

        GC.SuppressFinalize(this);
    }
}
