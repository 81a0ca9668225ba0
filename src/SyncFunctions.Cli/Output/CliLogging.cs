using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace SyncFunctions.Cli.Output;

/// <summary>
/// The logger factory of one CLI command: single-line console logs on stderr (stdout stays clean for
/// <c>--json</c> and the summary), plus the <see cref="RunAnnouncer"/> that prints the run id line.
/// </summary>
internal static class CliLogging
{
    /// <param name="verbose">Debug level (the engine logs each staged chunk at Debug).</param>
    /// <param name="liveDisplay">A live progress display owns the terminal: console logs only warnings and worse.</param>
    /// <param name="announcer">Receives the engine's run started/resumed/joined events.</param>
    /// <param name="lines">Where the logs go instead of the console (one pair of <c>sync --all</c>), with <paramref name="time"/> stamping them.</param>
    /// <param name="time">The clock of <paramref name="lines"/>.</param>
    public static ILoggerFactory Create(bool verbose, bool liveDisplay, RunAnnouncer announcer, TextWriter? lines = null, TimeProvider? time = null)
    {
        return LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information);
            if (lines is not null)
            {
                builder.AddProvider(new LineLoggerProvider(lines, time ?? TimeProvider.System));
            }
            else
            {
                builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
                builder.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss.fff ";
                    o.ColorBehavior = LoggerColorBehavior.Disabled;
                });
            }

            builder.AddFilter("Azure", LogLevel.Warning);

            // serve's hosts (Kestrel, the Durable Task backend, sidecar and worker) log every request and poll.
            foreach (var framework in (string[])["Microsoft.AspNetCore", "Microsoft.Hosting", "Microsoft.DurableTask", "DurableTask", "Grpc"])
            {
                builder.AddFilter(framework, verbose ? LogLevel.Information : LogLevel.Warning);
            }
            if (liveDisplay && !verbose)
            {
                builder.AddFilter<ConsoleLoggerProvider>(null, LogLevel.Warning);
            }

            builder.AddProvider(announcer);
        });
    }
}
