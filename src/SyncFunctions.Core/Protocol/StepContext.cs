using Microsoft.Extensions.Logging;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Protocol;

/// <summary>
/// What one step call knows: the ledger and stores, the run row as this call last read or stored it, the run's
/// options (from that row), and what the call transferred. Built for one call and dropped after it: nothing of a run
/// lives in memory between steps.
/// </summary>
/// <remarks>Thread-safe: the workers of one item share it.</remarks>
internal sealed class StepContext
{
    private readonly object _gate = new();
    private RunRecord _run;
    private IObjectStore? _destination;
    private long _files;
    private long _bytes;
    private long _reusedChunks;
    private long _resumedBytes;
    private long _unchangedBytes;

    public StepContext(RunSteps steps, RunRecord run, SyncOptions options)
    {
        Steps = steps;
        _run = run;
        Options = options;
    }

    public RunSteps Steps { get; }

    public ILedger Ledger => Steps.Ledger;

    public IObjectStore Source => Steps.Source;

    public IObjectStore Destination => _destination ??= Steps.DestinationFor(Run.PairId);

    public EngineEnvironment Env => Steps.Env;

    public StepSettings Settings => Steps.Env.Steps;

    public ILogger Log => Steps.Log;

    public ProcessResources Resources => Steps.Resources;

    /// <summary>The run's options as stored on its row.</summary>
    public SyncOptions Options { get; }

    public string PairId => _run.PairId;

    public string RunId => _run.RunId;

    public DateTimeOffset Now => Env.Time.GetUtcNow();

    public RunRecord Run
    {
        get
        {
            lock (_gate)
            {
                return _run;
            }
        }
    }

    public TransferCounters Transferred => new(Interlocked.Read(ref _files), Interlocked.Read(ref _bytes), Interlocked.Read(ref _reusedChunks), Interlocked.Read(ref _resumedBytes), Interlocked.Read(ref _unchangedBytes));

    public void AddTransferred() => Interlocked.Increment(ref _files);

    public void AddBytesTransferred(long n) => Interlocked.Add(ref _bytes, n);

    public void AddReused(long chunks, long bytes)
    {
        Interlocked.Add(ref _reusedChunks, chunks);
        Interlocked.Add(ref _resumedBytes, bytes);
    }

    public void AddResumedBytes(long bytes) => Interlocked.Add(ref _resumedBytes, bytes);

    /// <summary>Bytes of blocks a changed file's committed version already had: committed by id, not sent (block-level delta).</summary>
    public void AddUnchanged(long bytes) => Interlocked.Add(ref _unchangedBytes, bytes);

    /// <summary>Tells the host's driver that an action ended (bytes of a Done action, 0 otherwise).</summary>
    public void ActionEnded(long bytes, string path) => Steps.Events?.Report(new ActionEnded(path, bytes));

    /// <summary>Read-modify-write of the run row with CAS; <paramref name="mutate"/> returns null for "no change".</summary>
    public async Task<RunRecord> UpdateRunAsync(Func<RunRecord, RunRecord?> mutate, CancellationToken cancellationToken)
    {
        var stored = await Steps.UpdateRunAsync(Run, mutate, cancellationToken).ConfigureAwait(false);
        SetRun(stored);
        return stored;
    }

    public void SetRun(RunRecord run)
    {
        lock (_gate)
        {
            _run = run;
        }
    }
}
