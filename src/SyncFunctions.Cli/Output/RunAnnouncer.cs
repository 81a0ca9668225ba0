using Microsoft.Extensions.Logging;

namespace SyncFunctions.Cli.Output;

/// <summary>
/// Prints the plain line <c>run RUN_ID started</c> (or <c>resumed</c>, <c>joined</c>) on stderr as soon as
/// the engine logs that event, whatever the log level or display mode. Scripts and tests wait for it.
/// </summary>
/// <remarks>
/// A logger provider rather than an engine callback: the engine already logs these events with stable
/// event ids (1000 started, 1001 resumed, 1002 joined) and a structured RunId. Thread-safe.
/// </remarks>
internal sealed class RunAnnouncer : ILoggerProvider, ILogger
{
    private const int StartedEvent = 1000;
    private const int ResumedEvent = 1001;
    private const int JoinedEvent = 1002;
    private readonly TextWriter _stderr;
    private readonly object _gate = new();
    private string? _runId;

    public RunAnnouncer(TextWriter stderr) => _stderr = stderr;

    /// <summary>The run id announced so far, or null.</summary>
    public string? RunId
    {
        get
        {
            lock (_gate)
            {
                return _runId;
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var verb = eventId.Id switch
        {
            StartedEvent => "started",
            ResumedEvent => "resumed",
            JoinedEvent => "joined",
            _ => null,
        };
        if (verb is null || state is not IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            return;
        }

        var runId = values.FirstOrDefault(kv => kv.Key == "RunId").Value?.ToString();
        if (string.IsNullOrEmpty(runId))
        {
            return;
        }

        Announce(runId, verb);
    }

    /// <summary>Prints the line directly (also used when the run id is known without an engine event).</summary>
    public void Announce(string runId, string verb)
    {
        lock (_gate)
        {
            _runId = runId;
            _stderr.WriteLine($"run {runId} {verb}");
            _stderr.Flush();
        }
    }

    public void Dispose()
    {
    }
}
