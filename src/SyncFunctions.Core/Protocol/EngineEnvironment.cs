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
/// <param name="Time">The clock of leases, heartbeats and backoff.</param>
/// <param name="Owner">This process (shown as a run's coordinator; a same-host dead process is taken over at once).</param>
/// <param name="Liveness">Whether another process of this host is alive.</param>
/// <param name="LoggerFactory">Logs; none when null.</param>
/// <param name="Progress">Live progress of this process; none when null.</param>
/// <param name="Settings">Leases and limits of the run protocol; <see cref="StepSettings.Default"/> when null.</param>
public sealed record EngineEnvironment(
    TimeProvider Time,
    OwnerIdentity Owner,
    IOwnerLiveness Liveness,
    ILoggerFactory? LoggerFactory = null,
    IProgress<SyncProgress>? Progress = null,
    StepSettings? Settings = null)
{
    public ILoggerFactory Logs => LoggerFactory ?? NullLoggerFactory.Instance;

    public StepSettings Steps => Settings ?? StepSettings.Default;
}

/// <summary>Leases and limits of the run protocol: the same for every host that drives the steps.</summary>
public sealed record StepSettings
{
    public static StepSettings Default { get; } = new();

    /// <summary>Lease of a claimed work item; the step renews it while it works (at a third of it).</summary>
    public TimeSpan ItemLease { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Lease of a run's coordinator; a run whose lease ran out is taken over by the next start.</summary>
    public TimeSpan CoordinatorLease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Claims of an item that ended in an error before its unfinished actions are given up as Failed.</summary>
    public int MaxItemFailures { get; init; } = 5;

    /// <summary>
    /// Deaths without progress after which an item's window is halved, or at one action the item is isolated; an
    /// isolated item is given up at this limit squared, a death while it ran alone weighing this limit.
    /// </summary>
    public int StallLimit { get; init; } = 3;

    /// <summary>Chunks one chunk-range work item stages (a large file fans out over several workers in ranges of this many).</summary>
    public int ChunksPerRange { get; init; } = 4;

    /// <summary>
    /// Large files to a destination that lists committed chunks (Blob) are staged as blocks cut at content-defined
    /// boundaries, so a changed file sends only the blocks its committed version lacks (block-level delta). Off: fixed-size blocks.
    /// </summary>
    public bool ContentDefinedBlocks { get; init; } = true;

    /// <summary>Claimable items one completion check returns at most (its result stays small).</summary>
    public int MaxClaimableListed { get; init; } = 256;

    /// <summary>Attempts per storage call of the retry decorators the hosts apply.</summary>
    public int MaxAttempts { get; init; } = 6;
}
