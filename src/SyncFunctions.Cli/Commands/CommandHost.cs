using Microsoft.Extensions.Logging;
using Spectre.Console;
using SyncFunctions.Abstractions;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Cli.Output;
using SyncFunctions.Core.Endpoints;

namespace SyncFunctions.Cli.Commands;

/// <summary>
/// What one command invocation needs around its body: output mode, loggers, and the single place that
/// turns exceptions into an error message and an exit code.
/// </summary>
internal sealed class CommandHost
{
    private CommandHost(StopSignals signals, bool json, bool verbose, bool terminal)
    {
        Signals = signals;
        Json = json;
        Verbose = verbose;
        Terminal = terminal;
        Stdout = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            // Redirected output has no width; Spectre would assume 80 columns and wrap ids mid-word.
            Stdout.Profile.Width = 200;
        }

        Announcer = new RunAnnouncer(Console.Error);
        Azure = new AzureAccounts();
        Graph = new GraphAccounts(Time);
        Endpoints = CliEndpoints.Create(Azure, Graph, Time);
        LoggerFactory = CliLogging.Create(verbose, terminal, Announcer);
        Logger = LoggerFactory.CreateLogger("syncfn");
    }

    /// <summary>SIGINT / SIGTERM: cancels <see cref="StopSignals.Token"/>, the engine's interrupt token.</summary>
    public StopSignals Signals { get; }

    public bool Json { get; }

    public bool Verbose { get; }

    /// <summary>stdout is a terminal and no --json: live progress and a capped problem list.</summary>
    public bool Terminal { get; }

    public TimeProvider Time { get; } = TimeProvider.System;

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
    public static async Task<int> RunAsync(
        StopSignals signals, bool json, bool verbose, CancellationToken cancellationToken, Func<CommandHost, CancellationToken, Task<int>> body)
    {
        var host = new CommandHost(signals, json, verbose, terminal: !json && !Console.IsOutputRedirected);
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(signals.Token, cancellationToken);
        signals.Stopping += host.OnStopping;
        try
        {
            return await body(host, interrupt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            return host.Fail("interrupted", ExitCodes.ForSignal(signals.Signal));
        }
        catch (UsageException e)
        {
            return host.Fail(e.Message, ExitCodes.Usage);
        }
        catch (FatalException e)
        {
            return host.Fail(e.Message, ExitCodes.Fatal, e.InnerException);
        }
        catch (StorageException e)
        {
            return host.Fail(StorageErrorText.Describe(e), ExitCodes.Fatal, e);
        }
        catch (OperationCanceledException e)
        {
            // Nobody asked to stop: a timeout or an internal cancellation escaped. Said, not swallowed.
            return host.Fail($"unexpected cancellation: {e.Message}", ExitCodes.Fatal, e);
        }
        catch (Exception e)
        {
            return host.Fail($"unexpected error: {e.Message}", ExitCodes.Fatal, e);
        }
        finally
        {
            signals.Stopping -= host.OnStopping;
            host.Azure.Dispose();
            host.Graph.Dispose();

            // Disposing flushes the console logger's queue before the process exits.
            host.LoggerFactory.Dispose();
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
        Console.Error.WriteLine($"syncfn: {text}");
        if (Verbose && detail is not null)
        {
            Console.Error.WriteLine(Redaction.Redact(detail.ToString()));
        }

        if (Json)
        {
            Console.Out.WriteLine(JsonOutput.Error(text, exitCode));
        }

        return exitCode;
    }

    /// <summary>What a stop signal leads to, logged when it arrives (commands other than sync set their own).</summary>
    public string StoppingNote { get; set; } = "saving state, the run resumes with the next sync of the pair";

    private void OnStopping(StopSignal signal) =>
        CliLogs.Stopping(Logger, signal == StopSignal.Terminate ? "SIGTERM" : "SIGINT", StoppingNote);

    /// <summary>Writes the one JSON object of --json.</summary>
    public void WriteJson(string json) => Console.Out.WriteLine(json);
}
