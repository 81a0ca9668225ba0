using Microsoft.Extensions.Logging;

namespace SyncFunctions.Cli.Output;

/// <summary>
/// Single-line logs in the console logger's simple format (<c>HH:mm:ss.fff info: Category[id] message</c>) written to a
/// given writer, one write per entry. The console logger writes to the process's stderr itself; a pair of
/// <c>sync --all</c> logs through this provider into its own prefixed writer instead.
/// </summary>
/// <remarks>Thread-safe as far as <paramref name="writer"/> is (a <see cref="PrefixedLineWriter"/> is). Writes synchronously: nothing to flush.</remarks>
internal sealed class LineLoggerProvider(TextWriter writer, TimeProvider time) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new LineLogger(categoryName, writer, time);

    public void Dispose()
    {
    }

    /// <summary>One entry as one line: newlines in the message or exception become spaces.</summary>
    public static string Format(DateTimeOffset at, LogLevel level, string category, EventId eventId, string message, Exception? exception)
    {
        var text = $"{at:HH:mm:ss.fff} {Level(level)}: {category}[{eventId.Id}] {message}";
        if (exception is not null)
        {
            text += " " + exception;
        }

        return text.ReplaceLineEndings(" ");
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    private sealed class LineLogger(string category, TextWriter writer, TimeProvider time) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            writer.WriteLine(Format(time.GetLocalNow(), logLevel, category, eventId, formatter(state, exception), exception));
        }
    }
}
