using Microsoft.Extensions.Logging;

namespace SyncFunctions.Cli;

/// <summary>The CLI's own log messages, with stable event ids (2000+; the engine uses 1000+).</summary>
internal static partial class CliLogs
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Progress: {Text}")]
    public static partial void Progress(ILogger logger, string text);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Stopping ({Signal}): {Note}")]
    public static partial void Stopping(ILogger logger, string signal, string note);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Using the embedded Azurite (pid {Pid}, blob port {BlobPort}, data in {DataDirectory})")]
    public static partial void UsingEmbeddedAzurite(ILogger logger, int pid, int blobPort, string dataDirectory);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Started the embedded Azurite (pid {Pid}, blob port {BlobPort}, data in {DataDirectory})")]
    public static partial void StartedEmbeddedAzurite(ILogger logger, int pid, int blobPort, string dataDirectory);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Debug, Message = "Sync {Source} -> {Destination} (pair {PairId})")]
    public static partial void Pair(ILogger logger, string source, string destination, string pairId);
}
