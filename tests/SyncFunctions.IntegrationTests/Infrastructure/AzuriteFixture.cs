using System.Net.Http;
using SyncFunctions.Azure;
using SyncFunctions.Cli.Azurite;

namespace SyncFunctions.IntegrationTests.Infrastructure;

/// <summary>Tests that talk to Azurite join this collection; they share one Azurite for the whole run.</summary>
[CollectionDefinition("azurite")]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
}

/// <summary>
/// Starts the pinned Azurite (installed from tools/azurite's lock file) on free ports with a fresh data folder.
/// </summary>
/// <remarks>
/// One Azurite serves the whole test run: every fixture instance shares it, so a second collection using
/// this fixture does not start another. It is a supervised child of the test process and dies with it.
/// Missing node/npm fail the fixture (and so every test using it): a skipped Azurite test would hide a broken set-up.
/// Tests isolate themselves with <see cref="NewContainerName"/> and <see cref="NewTablePrefix"/>.
/// </remarks>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private static readonly SemaphoreSlim StartLock = new(1, 1);
    private static AzuriteInstance? shared;
    private static string? sharedDataDir;
    private static int counter;

    /// <summary>The running Azurite.</summary>
    public AzuriteInstance Instance => shared ?? throw new InvalidOperationException("Azurite is not started.");

    /// <summary>Connection string with explicit endpoints and the well-known development key.</summary>
    public string ConnectionString => Instance.ConnectionString;

    public async Task InitializeAsync()
    {
        await StartLock.WaitAsync();
        try
        {
            if (shared is { IsRunning: true })
            {
                return;
            }

            var launcher = new AzuriteLauncher(RepoPaths.AzuriteTools);
            await launcher.EnsureInstalledAsync(CancellationToken.None);
            var root = Path.Combine(Path.GetTempPath(), "syncfn-tests");
            RemoveLeftovers(root);
            sharedDataDir = Path.Combine(root, $"azurite-{Environment.ProcessId}-{Guid.NewGuid():N}");
            shared = await launcher.StartAsync(sharedDataDir, detached: false, CancellationToken.None);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => StopShared();
        }
        finally
        {
            StartLock.Release();
        }
    }

    /// <summary>Nothing to do per collection: the shared Azurite stops when the test process exits.</summary>
    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A container name no other test uses (lower-case, valid).</summary>
    public static string NewContainerName(string hint = "t")
    {
        var clean = new string(hint.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(20).ToArray());
        var name = $"{(clean.Length == 0 ? "t" : clean)}-{Interlocked.Increment(ref counter)}-{Guid.NewGuid():N}";
        return name.Length > 63 ? name[..63].TrimEnd('-') : name;
    }

    /// <summary>A table-name prefix no other test uses (letters and digits, starts with a letter).</summary>
    public static string NewTablePrefix() => $"t{Interlocked.Increment(ref counter)}x{Guid.NewGuid():N}"[..20];

    /// <summary>A new connection to Azurite, optionally with a handler wrapper (fault injection).</summary>
    public AzureStorageConnection Connect(Func<HttpMessageHandler, HttpMessageHandler>? wrapHandler = null) =>
        AzureStorageConnection.Create(ConnectionString, wrapHandler);

    /// <summary>
    /// Deletes data folders of earlier test processes that are gone (the test host may be killed before its
    /// exit handler runs). A folder whose process still runs belongs to a concurrent test run and stays.
    /// </summary>
    private static void RemoveLeftovers(string root)
    {
        if (!Directory.Exists(root))
        {
            return;
        }

        foreach (var dir in Directory.EnumerateDirectories(root, "azurite-*"))
        {
            var parts = Path.GetFileName(dir).Split('-');
            if (parts.Length == 3 && int.TryParse(parts[1], out var pid) && !AzuriteInstance.IsAlive(pid))
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                    // Another test process is cleaning up too.
                }
            }
        }
    }

    private static void StopShared()
    {
        shared?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        shared = null;
        try
        {
            if (sharedDataDir is not null && Directory.Exists(sharedDataDir))
            {
                Directory.Delete(sharedDataDir, recursive: true);
            }
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
