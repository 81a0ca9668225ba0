using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SyncFunctions.Core.Protocol;

/// <summary>Who runs a run: host, process id and process start time.</summary>
public sealed record OwnerIdentity(string Host, int Pid, DateTimeOffset Started)
{
    public override string ToString() => $"{Host}:{Pid}";
}

/// <summary>Answers whether a run's owner process is still alive (same host only; other hosts rely on the heartbeat).</summary>
public interface IOwnerLiveness
{
    /// <summary>True when the owner is known to be alive; false when known dead; null when it cannot tell (another host).</summary>
    bool? IsAlive(string host, int pid, DateTimeOffset started);
}

/// <summary>Live progress for a terminal or log.</summary>
public sealed record SyncProgress(
    string Phase,
    long FilesDone,
    long FilesTotal,
    long BytesDone,
    long BytesTotal,
    bool ObserveDone,
    string? CurrentPath = null,
    string? Message = null);

/// <summary>Everything the engine needs from its host besides the stores and the ledger.</summary>
public sealed record EngineEnvironment(
    TimeProvider Time,
    OwnerIdentity Owner,
    IOwnerLiveness Liveness,
    ILoggerFactory? LoggerFactory = null,
    IProgress<SyncProgress>? Progress = null)
{
    public ILoggerFactory Logs => LoggerFactory ?? NullLoggerFactory.Instance;
}
