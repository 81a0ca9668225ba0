using System.Security.Cryptography;
using SyncFunctions.Graph;
using SyncFunctions.GraphDev;
using SyncFunctions.IntegrationTests.Cli;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Graph;

/// <summary>
/// End-to-end tests of <c>syncfn</c> with <c>graph:</c> endpoints: loopback Graph servers started in-process
/// (free ports, in memory) for each test, the built syncfn as a child process pointed at them with
/// --graph-url, and the ledger (and blob endpoints) on the shared test Azurite.
/// </summary>
public abstract class GraphCliTestBase : CliTestBase, IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _servers = [];

    protected GraphCliTestBase(AzuriteFixture azurite)
        : base(azurite)
    {
    }

    /// <summary>Starts a fresh drive server for this test (stopped when the test ends).</summary>
    protected async Task<GraphDevServer> StartServerAsync(Action<GraphDevOptions>? configure = null)
    {
        var options = new GraphDevOptions();
        configure?.Invoke(options);
        var server = await GraphDevServer.StartAsync(options);
        _servers.Add(server);
        return server;
    }

    /// <summary>Registers something to dispose with the servers (e.g. a proxy in front of one).</summary>
    protected T Track<T>(T disposable)
        where T : IAsyncDisposable
    {
        _servers.Add(disposable);
        return disposable;
    }

    /// <summary>The endpoint argument of the drive of <paramref name="server"/>, optionally below <paramref name="folder"/>.</summary>
    protected static string DriveEndpoint(GraphDevServer server, string folder = "") =>
        $"graph:{server.DriveId}" + (folder.Length == 0 ? "" : "/" + folder);

    /// <summary>Runs syncfn to completion (--storage = the test Azurite) with --graph-url pointing at <paramref name="server"/>.</summary>
    protected Task<CliResult> SyncfnAt(GraphDevServer server, params string[] args) => Syncfn([.. args, "--graph-url", server.BaseUrl.ToString()]);

    /// <summary>Starts syncfn (--storage, --graph-url) without waiting for it.</summary>
    protected CliRunner StartSyncfnAt(Uri graphUrl, params string[] args) => StartSyncfn([.. args, "--graph-url", graphUrl.ToString()]);

    /// <summary>
    /// Relative path (original names: drive names decoded with <see cref="GraphNameMapping"/>) to SHA-256 of every
    /// file of the drive below <paramref name="folder"/>, read from the server's model.
    /// </summary>
    protected static SortedDictionary<string, string> DriveSnapshot(GraphDevServer server, string folder = "")
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var prefix = folder.Length == 0 ? "" : folder + "/";
        foreach (var item in server.Drive.Snapshot().Where(i => !i.IsFolder && i.Path.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var path = GraphNameMapping.FromDrive(item.Path[prefix.Length..]);
            result[path] = Convert.ToHexStringLower(SHA256.HashData(server.Drive.ReadContent(item.Id)));
        }

        return result;
    }

    /// <summary>Writes a file (and its folders) on the drive of <paramref name="server"/>, as another client would.</summary>
    protected static DriveItemInfo WriteDriveFile(GraphDevServer server, string path, byte[] content) => server.Drive.WriteFile(path, content);

    /// <summary>The item at <paramref name="path"/>; fails the test when there is none.</summary>
    protected static DriveItemInfo DriveItem(GraphDevServer server, string path) =>
        server.Drive.GetByPath(path) ?? throw new Xunit.Sdk.XunitException($"no drive item at '{path}'");

    /// <summary>A small tree with folders, an empty file, awkward names and one file above the simple-upload limit.</summary>
    protected static void WriteMixedTree(TestTree tree)
    {
        tree.Write("readme.txt", "hello drive");
        tree.Write("docs/a.txt", "alpha");
        tree.Write("docs/b.txt", TestTree.RandomBytes(70_000, seed: 3));
        tree.Write("docs/deep/er/c.bin", TestTree.RandomBytes(300_000, seed: 4));
        tree.Write("with space/ünïcødé 日本.txt", "unicode");
        tree.Write("hash#and%percent+plus.txt", "#%+");
        tree.Write("empty.txt", []);
        tree.Write("media/large.bin", TestTree.RandomBytes((6 * 1024 * 1024) + 17, seed: 5));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        for (var i = _servers.Count - 1; i >= 0; i--)
        {
            await _servers[i].DisposeAsync();
        }
    }
}
