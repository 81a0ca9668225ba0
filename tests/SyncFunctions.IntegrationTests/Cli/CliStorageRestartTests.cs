using System.Diagnostics;
using Azure.Storage.Blobs;
using SyncFunctions.Cli.Azurite;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>
/// End-to-end: the storage account (a dedicated Azurite, ledger and destination alike) goes away in the middle of a
/// sync and comes back on the same ports with the same data; the sync rides it out and re-sends nothing it finished.
/// </summary>
[Collection("azurite")]
public sealed class CliStorageRestartTests : CliTestBase, IAsyncLifetime
{
    private const int Files = 300;
    private const int Parallel = 4;
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "syncfn-tests", "restart-" + Guid.NewGuid().ToString("N"));
    private readonly AzuriteLauncher _launcher = new(RepoPaths.AzuriteTools);
    private AzuriteInstance? _azurite;

    public CliStorageRestartTests(AzuriteFixture azurite)
        : base(azurite)
    {
    }

    public async Task InitializeAsync() => _azurite = await _launcher.StartAsync(_dataDir, detached: false, CancellationToken.None);

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
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

    [Fact]
    public async Task Sync_StorageRestartedMidRun_CompletesByteIdenticalWithoutResendingFinishedFiles()
    {
        var source = NewTree("src");
        for (var i = 0; i < Files; i++)
        {
            source.Write($"d{i % 5}/f{i:D3}.bin", TestTree.RandomBytes(2048 + (i * 37), seed: i));
        }

        source.Write("big.bin", TestTree.RandomBytes(16 * 1024 * 1024, seed: 16));
        var connection = _azurite!.ConnectionString;
        await using var sync = CliRunner.Start(
            Home.Root,
            ["sync", source.Root, "blob:restart", "--chunk-size", "1MiB", "--parallel", $"{Parallel}", "--verbose", "--json", "--storage", connection]);
        Assert.True(await sync.WaitForStderrCountAsync(l => l.Contains("Done Upload ", StringComparison.Ordinal), 20), sync.Output());

        var down = Stopwatch.StartNew();
        var ports = await StopAzuriteAsync();
        await sync.WaitForStderrAsync(l => l.Contains("failed, retrying in", StringComparison.Ordinal));
        _azurite = await _launcher.StartAsync(_dataDir, detached: false, ports, CancellationToken.None);
        var outage = down.Elapsed;
        var result = await sync.WaitForExitAsync();

        var why = $"storage down for {outage.TotalSeconds:F1} s\n{result}";
        if (result.ExitCode != 0 || result.Json.GetProperty("outcome").GetString() != "Succeeded" || result.Long("failed") != 0)
        {
            Assert.Fail($"the sync did not ride out a storage restart of {outage.TotalSeconds:F1} s: {CliCrashTests.FailuresOf(result)}\n{why}");
        }


        // A write in flight when the storage went may land unanswered: its retry finds it there and adopts it (not
        // counted), or it is sent again (counted twice). No finished file is sent again.
        var transferred = result.Long("transferredByThisProcess");
        Assert.True(transferred >= Files + 1 - Parallel && transferred <= Files + 1 + Parallel, $"{transferred} files sent for {Files + 1}, at most {Parallel} in flight\n{why}");
        Assert.Equal(source.Snapshot(), await SnapshotAsync(new BlobServiceClient(_azurite.ConnectionString).GetBlobContainerClient("restart")));
    }

    /// <summary>
    /// A clean stop (SIGTERM), as a service restart is: Azurite saves its in-memory metadata on the way down, whereas a
    /// SIGKILL would lose the last seconds of acknowledged writes, which no real storage account does.
    /// </summary>
    private async Task<int[]> StopAzuriteAsync()
    {
        var azurite = _azurite!;
        _azurite = null;
        if (Kill(azurite.Pid, 15) != 0)
        {
            throw new InvalidOperationException($"kill({azurite.Pid}, SIGTERM) failed");
        }

        // Azurite is no child of ours (a shell's): its exit has no event here, so /proc is looked at, bounded.
        var waited = Stopwatch.StartNew();
        while (AzuriteInstance.IsAlive(azurite.Pid))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"Azurite did not stop within 30 s of SIGTERM; see {azurite.LogPath}");
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

        await azurite.DisposeAsync();
        return [azurite.BlobPort, azurite.QueuePort, azurite.TablePort];
    }

    private static async Task<SortedDictionary<string, string>> SnapshotAsync(BlobContainerClient client)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var blob in client.GetBlobsAsync())
        {
            var content = await client.GetBlobClient(blob.Name).DownloadContentAsync();
            result[blob.Name] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content.Value.Content.ToArray()));
        }

        return result;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
