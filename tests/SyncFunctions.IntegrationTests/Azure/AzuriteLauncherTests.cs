using System.Diagnostics;
using SyncFunctions.Azure;
using SyncFunctions.Cli.Azurite;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Azure;

/// <summary>Starting Azurite attached (tests) and detached (the embedded instance of the CLI).</summary>
[Collection("azurite")]
public sealed class AzuriteLauncherTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "syncfn-tests", "launcher-" + Guid.NewGuid().ToString("N"));

    public AzuriteLauncherTests(AzuriteFixture azurite)
    {
        // The fixture has installed Azurite; these tests start instances of their own.
        Assert.True(azurite.Instance.IsRunning);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task StartAsync_Detached_LeadsItsOwnSessionOnFreePortsAndServesRequests()
    {
        var launcher = new AzuriteLauncher(RepoPaths.AzuriteTools);
        var instance = await launcher.StartAsync(_dataDir, detached: true, CancellationToken.None);
        try
        {
            using var connection = AzureStorageConnection.Create(instance.ConnectionString);
            await connection.BlobService.CreateBlobContainerAsync("detached");

            int[] ports = [instance.BlobPort, instance.QueuePort, instance.TablePort];
            Assert.Equal(3, ports.Distinct().Count());
            Assert.DoesNotContain(ports, p => p is >= 10000 and <= 10002);
            Assert.Equal(instance.Pid, SessionOf(instance.Pid));
            Assert.NotEqual(SessionOf(Environment.ProcessId), SessionOf(instance.Pid));
            Assert.Contains("azurite", File.ReadAllText($"/proc/{instance.Pid}/cmdline"), StringComparison.Ordinal);
        }
        finally
        {
            using var process = Process.GetProcessById(instance.Pid);
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task DisposeAsync_Attached_StopsAzurite()
    {
        var launcher = new AzuriteLauncher(RepoPaths.AzuriteTools);
        var instance = await launcher.StartAsync(_dataDir, detached: false, CancellationToken.None);
        var wasRunning = instance.IsRunning;

        await instance.DisposeAsync();

        Assert.True(wasRunning);
        Assert.False(instance.IsRunning);
        Assert.True(File.Exists(instance.LogPath));
    }

    [Fact]
    public async Task EnsureInstalledAsync_NoLockFile_ThrowsNamingIt()
    {
        Directory.CreateDirectory(_dataDir);
        await File.WriteAllTextAsync(Path.Combine(_dataDir, "package.json"), "{}");
        var launcher = new AzuriteLauncher(_dataDir);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => launcher.EnsureInstalledAsync(CancellationToken.None));

        Assert.Contains("No package-lock.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_NotInstalled_ThrowsPointingToEnsureInstalled()
    {
        var launcher = new AzuriteLauncher(_dataDir);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => launcher.StartAsync(_dataDir, false, CancellationToken.None));

        Assert.Contains("EnsureInstalledAsync", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConnectionString_IsAcceptedByAzureStorageConnection()
    {
        var connectionString = AzuriteInstance.BuildConnectionString(41000, 41001, 41002);

        Assert.Null(AzureStorageConnection.Validate(connectionString));
    }

    /// <summary>The session id field of /proc/PID/stat.</summary>
    private static int SessionOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture);
    }
}
