using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SyncFunctions.Cli.Azurite;

/// <summary>
/// Installs the pinned Azurite (from the committed npm lock file) and starts it on free loopback ports.
/// </summary>
/// <remarks>
/// Ports come from the OS (bind to port 0), so they never collide with a user's own Azurite on 10000-10002.
/// A detached instance runs in its own session (setsid), so Ctrl-C of the syncfn that started it does not
/// reach it; an attached instance (tests) is a supervised child that dies with its parent, even on a crash.
/// Thread-safe; installs from several processes are serialised by a lock file.
/// </remarks>
public sealed class AzuriteLauncher
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private readonly TimeProvider _time;

    /// <param name="toolsDir">The folder holding Azurite's package.json and package-lock.json (tools/azurite).</param>
    /// <param name="timeProvider">Clock for start-up timeouts (default: system clock).</param>
    public AzuriteLauncher(string toolsDir, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(toolsDir);
        ToolsDir = Path.GetFullPath(toolsDir);
        _time = timeProvider ?? TimeProvider.System;
    }

    public string ToolsDir { get; }

    /// <summary>Azurite's main script inside the installed package.</summary>
    public string EntryPoint => Path.Combine(ToolsDir, "node_modules", "azurite", "dist", "src", "azurite.js");

    public bool IsInstalled =>
        File.Exists(Path.Combine(ToolsDir, "node_modules", ".bin", "azurite")) && File.Exists(EntryPoint);

    /// <summary>Runs <c>npm ci</c> from the lock file when Azurite is not installed yet (under an exclusive lock file).</summary>
    /// <exception cref="InvalidOperationException">npm is missing or failed; the message ends with npm's output.</exception>
    public async Task EnsureInstalledAsync(CancellationToken cancellationToken)
    {
        if (IsInstalled)
        {
            return;
        }

        if (!File.Exists(Path.Combine(ToolsDir, "package-lock.json")))
        {
            throw new InvalidOperationException($"No package-lock.json in {ToolsDir}: cannot install Azurite.");
        }

        await using var installLock = await AcquireLockAsync(Path.Combine(ToolsDir, ".install.lock"), cancellationToken);
        if (IsInstalled)
        {
            return; // Another process installed it while we waited for the lock.
        }

        var (exitCode, output) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], ToolsDir, cancellationToken);
        if (exitCode != 0 || !IsInstalled)
        {
            throw new InvalidOperationException(
                $"'npm ci' in {ToolsDir} failed (exit code {exitCode}); its output ends with:{Environment.NewLine}{Tail(output)}");
        }
    }

    /// <summary>Starts Azurite with its data in <paramref name="dataDir"/> on free ports and waits until all three services accept connections.</summary>
    /// <param name="dataDir">Where Azurite keeps its data and where its log (azurite.log) goes; created when missing.</param>
    /// <param name="detached">True: its own session, survives this process. False: killed when the instance is disposed or this process dies.</param>
    /// <param name="cancellationToken">Cancels the start; a half-started process is killed.</param>
    public Task<AzuriteInstance> StartAsync(string dataDir, bool detached, CancellationToken cancellationToken) =>
        StartAsync(dataDir, detached, ports: null, cancellationToken);

    /// <summary>Starts Azurite as <see cref="StartAsync(string, bool, CancellationToken)"/> does, on the given ports when there are any.</summary>
    /// <param name="dataDir">Where Azurite keeps its data and where its log (azurite.log) goes; created when missing.</param>
    /// <param name="detached">True: its own session, survives this process. False: killed when the instance is disposed or this process dies.</param>
    /// <param name="ports">Blob, queue and table port (a restart where an earlier instance listened); null: free ports from the OS.</param>
    /// <param name="cancellationToken">Cancels the start; a half-started process is killed.</param>
    public async Task<AzuriteInstance> StartAsync(string dataDir, bool detached, IReadOnlyList<int>? ports, CancellationToken cancellationToken)
    {
        if (ports is not null && ports.Count != 3)
        {
            throw new ArgumentException("Azurite needs three ports: blob, queue and table.", nameof(ports));
        }

        if (!IsInstalled)
        {
            throw new InvalidOperationException($"Azurite is not installed in {ToolsDir}; call EnsureInstalledAsync first.");
        }

        RequireOnPath("node", "Node.js (node) is needed to run Azurite; install Node.js 20 or newer.");
        Directory.CreateDirectory(dataDir);
        var logPath = Path.Combine(Path.GetFullPath(dataDir), "azurite.log");
        for (var attempt = 1; ; attempt++)
        {
            var chosen = ports?.ToArray() ?? FreePorts(3);
            var (process, pid) = await LaunchAsync(Path.GetFullPath(dataDir), logPath, chosen, detached, cancellationToken);
            try
            {
                await WaitForPortsAsync(pid, chosen, logPath, cancellationToken);
                if (detached)
                {
                    process.Dispose(); // Only the handle: the detached Azurite keeps running.
                }

                return new AzuriteInstance(pid, chosen[0], chosen[1], chosen[2], Path.GetFullPath(dataDir), logPath, detached ? null : process);
            }
            catch (Exception e) when (e is not OperationCanceledException && ports is null && attempt < 3 && Tail(ReadLog(logPath)).Contains("EADDRINUSE", StringComparison.Ordinal))
            {
                // Another program took a port between our probe and Azurite's bind: try fresh ports.
                Kill(process);
            }
            catch
            {
                Kill(process);
                throw;
            }
        }
    }

    private async Task<(Process Process, int Pid)> LaunchAsync(string dataDir, string logPath, int[] ports, bool detached, CancellationToken cancellationToken)
    {
        // The shell only sets up redirection: node's output goes to the log, never to a pipe that would
        // break (SIGPIPE) once this process exits.
        const string DetachedScript = "exec \"$SYNCFN_SETSID\" node \"$0\" \"$@\" </dev/null >>\"$SYNCFN_AZURITE_LOG\" 2>&1";

        // Supervised: node runs in the background; when our end of stdin closes (dispose, or this process
        // dies), 'cat' ends and the shell kills node.
        const string AttachedScript = "node \"$0\" \"$@\" </dev/null >>\"$SYNCFN_AZURITE_LOG\" 2>&1 & child=$!; echo $child; " +
            "cat >/dev/null; kill $child 2>/dev/null; wait $child";
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = !detached,
            RedirectStandardOutput = !detached,
            WorkingDirectory = dataDir,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(detached ? DetachedScript : AttachedScript);
        psi.ArgumentList.Add(EntryPoint);
        foreach (var arg in Arguments(dataDir, ports))
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["SYNCFN_AZURITE_LOG"] = logPath;
        psi.Environment["SYNCFN_SETSID"] = File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : RequireOnPath("setsid", "setsid (util-linux) is needed to detach Azurite.");
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start /bin/sh to run Azurite.");
        if (detached)
        {
            return (process, process.Id); // sh exec'd setsid, which exec'd node: one pid, in its own session.
        }

        var line = await process.StandardOutput.ReadLineAsync(cancellationToken);
        return int.TryParse(line, out var pid) ? (process, pid) : (process, process.Id);
    }

    private static IEnumerable<string> Arguments(string dataDir, int[] ports) =>
    [
        "--blobHost", "127.0.0.1", "--blobPort", ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--queueHost", "127.0.0.1", "--queuePort", ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--tableHost", "127.0.0.1", "--tablePort", ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--location", dataDir, "--skipApiVersionCheck", "--loose", "--silent", "--disableProductStyleUrl",

        // Azurite sends usage telemetry by default; a local tool must not phone home.
        "--disableTelemetry",
    ];

    private async Task WaitForPortsAsync(int pid, int[] ports, string logPath, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var pending = new List<int>(ports);
        while (pending.Count > 0 || !AzuriteInstance.IsAlive(pid))
        {
            if (!AzuriteInstance.IsAlive(pid))
            {
                throw new InvalidOperationException($"Azurite exited during start-up; {logPath} ends with:{Environment.NewLine}{Tail(ReadLog(logPath))}");
            }

            if (_time.GetElapsedTime(started) > StartTimeout)
            {
                throw new TimeoutException($"Azurite did not open ports {string.Join(", ", pending)} within {StartTimeout.TotalSeconds:0} s; " +
                    $"{logPath} ends with:{Environment.NewLine}{Tail(ReadLog(logPath))}");
            }

            for (var i = pending.Count - 1; i >= 0; i--)
            {
                if (await AcceptsAsync(pending[i], cancellationToken))
                {
                    pending.RemoveAt(i);
                }
            }

            if (pending.Count > 0)
            {
                // Waiting on an external process to bind its ports: a short poll is the simplest signal there is.
                await Task.Delay(PollInterval, _time, cancellationToken);
            }
        }
    }

    private static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, attempt.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <summary>Distinct free loopback ports from the OS (ephemeral range, so never 10000-10002).</summary>
    private static int[] FreePorts(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            while (listeners.Count < count)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                if (((IPEndPoint)listener.LocalEndpoint).Port is >= 10000 and <= 10002)
                {
                    listener.Stop();
                    continue;
                }

                listeners.Add(listener);
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    private async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                // Another process is installing; it releases the lock when npm ends.
                await Task.Delay(TimeSpan.FromMilliseconds(200), _time, cancellationToken);
            }
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] args, string workingDir, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(program) { WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {program}.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"'{program}' was not found on PATH; install Node.js 20 or newer (it brings npm) to install Azurite.", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                throw;
            }

            return (process.ExitCode, (await stdout) + (await stderr));
        }
    }

    private static string RequireOnPath(string program, string message)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return dirs.Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists) ?? throw new InvalidOperationException(message);
    }

    internal static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private static string ReadLog(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(Math.Max(0, stream.Length - 8192), SeekOrigin.Begin);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    private static string Tail(string text, int lines = 20) =>
        string.Join(Environment.NewLine, text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).TakeLast(lines));
}

/// <summary>A running Azurite: its process id, ports, data folder and connection string.</summary>
/// <remarks>
/// Disposing kills the process only when this instance owns it (an attached start); a detached Azurite
/// outlives its starter and is stopped by pid. Thread-safe for reads; dispose once.
/// </remarks>
public sealed class AzuriteInstance : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account (public, documented; not a secret).</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known development account key (public, documented; not a secret).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process? _owned;

    /// <summary>Describes an Azurite; pass <paramref name="owned"/> only when disposing should kill it.</summary>
    public AzuriteInstance(int pid, int blobPort, int queuePort, int tablePort, string dataDir, string logPath, Process? owned = null)
    {
        Pid = pid;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
        DataDir = dataDir;
        LogPath = logPath;
        _owned = owned;
    }

    public int Pid { get; }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    public string DataDir { get; }

    public string LogPath { get; }

    /// <summary>True while the Azurite process is running.</summary>
    public bool IsRunning => IsAlive(Pid);

    /// <summary>A connection string with explicit endpoints (path-style, as Azurite expects).</summary>
    public string ConnectionString => BuildConnectionString(BlobPort, QueuePort, TablePort);

    public static string BuildConnectionString(int blobPort, int queuePort, int tablePort) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AccountName};" +
        $"QueueEndpoint=http://127.0.0.1:{queuePort}/{AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{tablePort}/{AccountName};";

    /// <summary>True when a process with this id exists and is not a zombie (Linux /proc).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].TrimStart();
            return state.Length > 0 && state[0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned is null)
        {
            return;
        }

        AzuriteLauncher.Kill(_owned);

        // Return only once Azurite is really gone (its ports free, its files closed), bounded so a stuck
        // kernel reap cannot hang the caller.
        var started = TimeProvider.System.GetTimestamp();
        while ((!_owned.HasExited || IsAlive(Pid)) && TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }

        _owned.Dispose();
    }
}
