using Microsoft.Extensions.Logging;
using Spectre.Console;
using SyncFunctions.Abstractions;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Cli.Output;
using SyncFunctions.Core.Endpoints;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Cli.Commands;

/// <summary>
/// What one command invocation needs around its body: output mode, loggers, and the single place that
/// turns exceptions into an error message and an exit code.
/// </summary>
internal sealed class CommandHost
{
    private CommandHost(StopSignals signals, bool json, bool verbose, bool terminal, TextWriter stdout, TextWriter stderr, bool ownLogWriter = false)
    {
        Time = ClockOffsetOverride.From(out var clockProblem);
        ClockProblem = clockProblem;
        Signals = signals;
        Json = json;
        Verbose = verbose;
        Terminal = terminal;
        Out = stdout;
        Error = stderr;
        Stdout = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            // Redirected output has no width; Spectre would assume 80 columns and wrap ids mid-word.
            Stdout.Profile.Width = 200;
        }

        Announcer = new RunAnnouncer(stderr);
        Azure = new AzureAccounts();
        Graph = new GraphAccounts(Time);
        Endpoints = CliEndpoints.Create(Azure, Graph, Time);
        LoggerFactory = CliLogging.Create(verbose, terminal, Announcer, ownLogWriter ? stderr : null, Time);
        Logger = LoggerFactory.CreateLogger("syncfn");
    }

    /// <summary>
    /// The host of one pair of <c>sync --all</c>: its own connections, no live display and no JSON of its own, every line
    /// it prints (logs included) on <paramref name="stdout"/> and <paramref name="stderr"/>; signals and verbosity of <paramref name="parent"/>.
    /// </summary>
    public static CommandHost ForPair(CommandHost parent, TextWriter stdout, TextWriter stderr)
    {
        var child = new CommandHost(parent.Signals, json: false, parent.Verbose, terminal: false, stdout, stderr, ownLogWriter: true);
        child.UseNetworkTimeout(parent.Azure.NetworkTimeout);
        return child;
    }

    /// <summary>Where this command's plain stdout lines go (the process's stdout, or a pair's prefixed writer).</summary>
    public TextWriter Out { get; }

    /// <summary>Where this command's messages go (the process's stderr, or a pair's prefixed writer).</summary>
    public TextWriter Error { get; }

    /// <summary>The message of the error this command ended with (<see cref="Fail"/>), secrets redacted; null while none.</summary>
    public string? LastError { get; private set; }

    /// <summary>The summary of the run this command reported, if it ran one.</summary>
    public RunSummary? LastSummary { get; set; }

    /// <summary>SIGINT / SIGTERM: cancels <see cref="StopSignals.Token"/>, the engine's interrupt token.</summary>
    public StopSignals Signals { get; }

    public bool Json { get; }

    public bool Verbose { get; }

    /// <summary>stdout is a terminal and no --json: live progress and a capped problem list.</summary>
    public bool Terminal { get; }

    public TimeProvider Time { get; }

    /// <summary>Why <c>$SYNCFN_CLOCK_OFFSET</c> was not taken, or null: the command fails with it as a usage error.</summary>
    private string? ClockProblem { get; }

    /// <summary>People's output on stdout (tables); never used with --json.</summary>
    public IAnsiConsole Stdout { get; }

    public RunAnnouncer Announcer { get; }

    /// <summary>Connections to storage accounts opened by this command; closed when it ends.</summary>
    public AzureAccounts Azure { get; }

    /// <summary>Connections to Microsoft Graph opened by this command; closed when it ends.</summary>
    public GraphAccounts Graph { get; }

    /// <summary>The endpoint schemes (local, blob, graph), building stores on this command's connections.</summary>
    public EndpointRegistry Endpoints { get; }

    public ILoggerFactory LoggerFactory { get; }

    public ILogger Logger { get; }

    /// <summary>Runs <paramref name="body"/> and maps every failure to a message on stderr (and JSON on stdout) and an exit code.</summary>
    /// <remarks>The token given to <paramref name="body"/> is cancelled by SIGINT / SIGTERM (and by <paramref name="cancellationToken"/>).</remarks>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1068", Justification = "The command body lambda reads best as the last argument.")]
    public static Task<int> RunAsync(
        StopSignals signals, bool json, bool verbose, CancellationToken cancellationToken, Func<CommandHost, CancellationToken, Task<int>> body)
    {
        var host = new CommandHost(signals, json, verbose, terminal: !json && !Console.IsOutputRedirected, Console.Out, Console.Error);
        return host.InvokeAsync(body, cancellationToken);
    }

    /// <summary>Runs <paramref name="body"/> on this host as <see cref="RunAsync"/> does, then closes the host's connections and loggers.</summary>
    /// <remarks>The token given to <paramref name="body"/> is cancelled by SIGINT / SIGTERM (and by <paramref name="cancellationToken"/>).</remarks>
    public async Task<int> InvokeAsync(Func<CommandHost, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(Signals.Token, cancellationToken);
        Signals.Stopping += OnStopping;
        try
        {
            if (ClockProblem is { } clock)
            {
                throw new UsageException(clock);
            }

            return await body(this, interrupt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            return Fail("interrupted", ExitCodes.ForSignal(Signals.Signal));
        }
        catch (UsageException e)
        {
            return Fail(e.Message, ExitCodes.Usage);
        }
        catch (FatalException e)
        {
            return Fail(e.Message, e.ExitCode, e.InnerException);
        }
        catch (StorageException e)
        {
            return Fail(StorageErrorText.Describe(e), ExitCodes.Fatal, e);
        }
        catch (OperationCanceledException e)
        {
            // Nobody asked to stop: a timeout or an internal cancellation escaped. Said, not swallowed.
            return Fail($"unexpected cancellation: {e.Message}", ExitCodes.Fatal, e);
        }
        catch (Exception e)
        {
            return Fail($"unexpected error: {e.Message}", ExitCodes.Fatal, e);
        }
        finally
        {
            Signals.Stopping -= OnStopping;
            Azure.Dispose();
            Graph.Dispose();

            // Disposing flushes the console logger's queue before the process exits.
            LoggerFactory.Dispose();
        }
    }

    /// <summary>Sets the per-request network timeout of the storage and Graph connections this command opens (call before opening any).</summary>
    public void UseNetworkTimeout(TimeSpan timeout)
    {
        Azure.NetworkTimeout = timeout;
        Graph.NetworkTimeout = timeout;
    }

    /// <summary>Prints the error (secrets redacted) and returns <paramref name="exitCode"/>.</summary>
    public int Fail(string message, int exitCode, Exception? detail = null)
    {
        var text = Redaction.Redact(message);
        LastError = text;
        Error.WriteLine($"syncfn: {text}");
        if (Verbose && detail is not null)
        {
            Error.WriteLine(Redaction.Redact(detail.ToString()));
        }

        if (Json)
        {
            Out.WriteLine(JsonOutput.Error(text, exitCode));
        }

        return exitCode;
    }

    /// <summary>What a stop signal leads to, logged when it arrives (commands other than sync set their own).</summary>
    public string StoppingNote { get; set; } = "saving state, the run resumes with the next sync of the pair";

    private void OnStopping(StopSignal signal) =>
        CliLogs.Stopping(Logger, signal == StopSignal.Terminate ? "SIGTERM" : "SIGINT", StoppingNote);

    /// <summary>Writes the one JSON object of --json.</summary>
    public void WriteJson(string json) => Out.WriteLine(json);
}
