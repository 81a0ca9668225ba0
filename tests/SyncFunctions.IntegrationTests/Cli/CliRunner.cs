using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>How a finished syncfn child process ended.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The one JSON object --json prints on stdout.</summary>
    public JsonElement Json
    {
        get
        {
            using var doc = JsonDocument.Parse(Stdout);
            return doc.RootElement.Clone();
        }
    }

    public long Long(string name) => Json.GetProperty(name).GetInt64();

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// Runs the built <c>syncfn</c> (syncfn.dll next to the test assembly) as a child process with redirected,
/// asynchronously read output. Waits are bounded: on a timeout the child is killed and the test fails
/// with everything it printed. Synchronisation is by output lines and process exit, never by sleeping.
/// </summary>
public sealed partial class CliRunner : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(3);

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly List<string> _stderrLines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Done)> _waiters = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Done)> _stdoutWaiters = [];
    private readonly Task _readers;
    private readonly object _gate = new();

    private CliRunner(Process process)
    {
        _process = process;
        _readers = Task.WhenAll(ReadStdoutAsync(), ReadStderrAsync());
    }

    public int Pid => _process.Id;

    /// <summary>The process has ended.</summary>
    public bool HasExited => _process.HasExited;

    private const string EnvTool = "/usr/bin/env";

    /// <summary>
    /// Starts <c>dotnet syncfn.dll ARGS</c> with SYNCFN_HOME at <paramref name="home"/>, no SYNCFN_STORAGE, no
    /// SYNCFN_GRAPH_URL and no Azure credentials, plus <paramref name="environment"/> (a null value removes a variable).
    /// </summary>
    public static CliRunner Start(string home, IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

        // A test run started in the background (`./test.sh &`) inherits SIGINT ignored, and so would every child:
        // the signal tests need the disposition a terminal gives, so it is reset to the default (coreutils env).
        var resetSignals = File.Exists(EnvTool);
        var psi = new ProcessStartInfo(resetSignals ? EnvTool : dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? home,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (resetSignals)
        {
            psi.ArgumentList.Add("--default-signal=INT,QUIT");
            psi.ArgumentList.Add(dotnet);
        }

        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "syncfn.dll"));
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["SYNCFN_HOME"] = home;
        psi.Environment["SYNCFN_REPO"] = RepoPaths.RepoRoot;
        psi.Environment.Remove("SYNCFN_STORAGE");
        psi.Environment.Remove("SYNCFN_ARTIFACTS");
        foreach (var name in new[] { "SYNCFN_GRAPH_URL", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "SYNCFN_GRAPH_MANAGED_IDENTITY" })
        {
            psi.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                psi.Environment.Remove(name);
            }
            else
            {
                psi.Environment[name] = value;
            }
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
        process.StandardInput.Close();
        return new CliRunner(process);
    }

    /// <summary>Runs syncfn to completion.</summary>
    public static async Task<CliResult> RunAsync(string home, params string[] args)
    {
        await using var runner = Start(home, args);
        return await runner.WaitForExitAsync(DefaultTimeout);
    }

    /// <summary>Waits for a stderr line matching <paramref name="match"/> (lines already printed count too).</summary>
    public async Task<string> WaitForStderrAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        var waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_stderrLines.FirstOrDefault(match) is { } already)
            {
                return already;
            }

            _waiters.Add((match, waiter));
        }

        var finished = await Task.WhenAny(waiter.Task, _readers, Task.Delay(timeout ?? DefaultTimeout));
        // The line that completes the waiter may also be the last the reader reads: a reader that ends at the same time
        // does not make the line missing.
        if (finished == waiter.Task || waiter.Task.IsCompleted)
        {
            return await waiter.Task;
        }

        Kill();
        var why = finished == _readers ? "the process ended first" : "timed out";
        throw new TimeoutException($"no matching stderr line ({why}); output so far:\n{Output()}");
    }

    /// <summary>Waits for a complete stdout line matching <paramref name="match"/> (lines already printed count too).</summary>
    public async Task<string> WaitForStdoutAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        var waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (CompleteStdoutLines().FirstOrDefault(match) is { } already)
            {
                return already;
            }

            _stdoutWaiters.Add((match, waiter));
        }

        var finished = await Task.WhenAny(waiter.Task, _readers, Task.Delay(timeout ?? DefaultTimeout));
        // The line that completes the waiter may also be the last the reader reads: a reader that ends at the same time
        // does not make the line missing.
        if (finished == waiter.Task || waiter.Task.IsCompleted)
        {
            return await waiter.Task;
        }

        Kill();
        var why = finished == _readers ? "the process ended first" : "timed out";
        throw new TimeoutException($"no matching stdout line ({why}); output so far:\n{Output()}");
    }

    /// <summary>Waits for the run id line (<c>run ID started|resumed|joined</c>) and returns the id.</summary>
    public async Task<string> WaitForRunIdAsync(TimeSpan? timeout = null)
    {
        var line = await WaitForStderrAsync(l => RunLine().IsMatch(l), timeout);
        return RunLine().Match(line).Groups[1].Value;
    }

    /// <summary>Waits for exit; kills the child and fails when it takes longer than <paramref name="timeout"/>.</summary>
    public async Task<CliResult> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await _readers;
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"syncfn did not exit within {timeout ?? DefaultTimeout}; output:\n{Output()}");
        }

        lock (_gate)
        {
            return new CliResult(_process.ExitCode, _stdout.ToString(), string.Join('\n', _stderrLines));
        }
    }

    /// <summary>Sends a POSIX signal (SIGINT 2, SIGTERM 15, SIGKILL 9) to the child.</summary>
    public void Signal(int signal)
    {
        if (SendSignal(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>SIGKILL and wait: nothing of the child runs after this returns.</summary>
    public async Task KillHardAsync()
    {
        Signal(9);
        await _process.WaitForExitAsync();
        await _readers;
    }

    public string Output()
    {
        lock (_gate)
        {
            return $"--- stdout ---\n{_stdout}\n--- stderr ---\n{string.Join('\n', _stderrLines)}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _readers.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            // The output pipes are the child's; once it is killed they close. Nothing left to wait for.
        }

        _process.Dispose();
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private async Task ReadStdoutAsync()
    {
        var buffer = new char[8192];
        int read;
        while ((read = await _process.StandardOutput.ReadAsync(buffer)) > 0)
        {
            List<(TaskCompletionSource<string> Done, string Line)> matched = [];
            lock (_gate)
            {
                _stdout.Append(buffer, 0, read);
                var lines = CompleteStdoutLines();
                for (var i = _stdoutWaiters.Count - 1; i >= 0; i--)
                {
                    if (lines.FirstOrDefault(_stdoutWaiters[i].Match) is { } line)
                    {
                        matched.Add((_stdoutWaiters[i].Done, line));
                        _stdoutWaiters.RemoveAt(i);
                    }
                }
            }

            matched.ForEach(m => m.Done.TrySetResult(m.Line));
        }
    }

    /// <summary>The stdout lines finished so far (call under the gate).</summary>
    private List<string> CompleteStdoutLines()
    {
        var text = _stdout.ToString();
        var end = text.LastIndexOf('\n');
        return end < 0 ? [] : [.. text[..end].Split('\n').Select(l => l.TrimEnd('\r'))];
    }

    private async Task ReadStderrAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            List<TaskCompletionSource<string>> matched = [];
            lock (_gate)
            {
                _stderrLines.Add(line);
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Match(line))
                    {
                        matched.Add(_waiters[i].Done);
                        _waiters.RemoveAt(i);
                    }
                }
            }

            matched.ForEach(m => m.TrySetResult(line));
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^run (\S+) (started|resumed|joined)$")]
    private static partial System.Text.RegularExpressions.Regex RunLine();

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
