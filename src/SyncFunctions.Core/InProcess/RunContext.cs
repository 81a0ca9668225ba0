using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Retry;

namespace SyncFunctions.Core.InProcess;

/// <summary>What one process knows about the run it works on. Shared by its workers; thread-safe.</summary>
internal sealed class RunContext : IDisposable
{
    private readonly object _runGate = new();
    private RunRecord _run;
    private long _transferred;
    private long _bytesTransferred;
    private long _reusedChunks;
    private long _resumedBytes;
    private long _actionsDone;
    private long _bytesDone;

    public RunContext(ILedger ledger, IObjectStore source, IObjectStore destination, EngineEnvironment env, SyncOptions options, RunRecord run, bool isOwner, CancellationToken interrupt)
    {
        Ledger = ledger;
        Source = source;
        Destination = destination;
        Env = env;
        Options = options;
        _run = run;
        IsOwner = isOwner;
        Log = env.Logs.CreateLogger("SyncFunctions.Engine");
        Retry = new RetryPolicy(env.Time, options.MaxAttempts);
        WorkerId = OwnerPrefix(env.Owner.Host, env.Owner.Pid) + $"{env.Owner.Started.UtcTicks}:{Guid.NewGuid().ToString("N")[..8]}";
        Interrupt = interrupt;
        Stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt);
        ChunkBuffers = new SemaphoreSlim(Math.Clamp(options.Parallel, 2, 16));
        TransferSlots = new SemaphoreSlim(options.Parallel);
    }

    /// <summary>Lease owners of one process start with this prefix (used to reclaim a dead owner's claims).</summary>
    public static string OwnerPrefix(string host, int pid) => $"{host}:{pid}:";

    public ILedger Ledger { get; }
    public IObjectStore Source { get; }
    public IObjectStore Destination { get; }
    public EngineEnvironment Env { get; }
    public SyncOptions Options { get; }
    public ILogger Log { get; }
    public RetryPolicy Retry { get; }
    public bool IsOwner { get; }

    /// <summary>Lease owner id of this process's workers: host, pid and process start make it unique.</summary>
    public string WorkerId { get; }

    public CancellationToken Interrupt { get; }

    /// <summary>Cancelled on interrupt, on <c>runs cancel</c> and when ownership is lost.</summary>
    public CancellationTokenSource Stop { get; }

    public bool CancelRequested { get; set; }

    /// <summary>The pair row as this process last stored or read it (saves a read when the run releases it).</summary>
    public PairRecord? Pair { get; set; }

    /// <summary>The pair had no committed cursor when the run was acquired: its item tree is empty.</summary>
    public bool FirstRun { get; set; }

    /// <summary>Change items this process staged, and whether it staged the run from its first page.</summary>
    public long StagedByThisProcess { get; set; }

    public bool StagedFromFirstPage { get; set; }

    /// <summary>
    /// A first run this process staged from the first page: the staged folders and deletions (last record wins),
    /// kept while staging so planning need not read the staged items twice. Null otherwise.
    /// </summary>
    public Dictionary<string, ChangeItem>? StagedFolders { get; set; }

    /// <summary>With <see cref="StagedFolders"/>: whether any file was staged.</summary>
    public bool StagedFiles { get; set; }

    /// <summary>Nothing is staged for this run (known without a read): tree updates and staging cleanup are skipped.</summary>
    public bool NothingStaged => StagedFromFirstPage && StagedByThisProcess == 0;

    /// <summary>The pair's carry-over set was read during planning and was empty.</summary>
    public bool CarryOverKnownEmpty { get; set; }

    public bool OwnershipLost { get; set; }

    /// <summary>Bounds the chunk buffers in flight across all large transfers of this process (memory).</summary>
    public SemaphoreSlim ChunkBuffers { get; }

    /// <summary>--parallel: actions in flight across every item this process holds.</summary>
    public SemaphoreSlim TransferSlots { get; }

    public WorkQueue Queue { get; } = new();

    /// <summary>Items this process holds a claim on.</summary>
    public ConcurrentDictionary<string, ClaimedItem> Claims { get; } = new();

    public string PairId => _run.PairId;

    public string RunId => _run.RunId;

    public RunRecord Run
    {
        get
        {
            lock (_runGate)
            {
                return _run;
            }
        }
    }

    public long Transferred => Interlocked.Read(ref _transferred);
    public long BytesTransferred => Interlocked.Read(ref _bytesTransferred);
    public long ReusedChunks => Interlocked.Read(ref _reusedChunks);
    public long ResumedBytes => Interlocked.Read(ref _resumedBytes);

    public DateTimeOffset Now => Env.Time.GetUtcNow();

    public void AddTransferred() => Interlocked.Increment(ref _transferred);

    public void AddBytesTransferred(long n) => Interlocked.Add(ref _bytesTransferred, n);

    public void AddReused(long chunks, long bytes)
    {
        Interlocked.Add(ref _reusedChunks, chunks);
        Interlocked.Add(ref _resumedBytes, bytes);
    }

    public void AddResumedBytes(long bytes) => Interlocked.Add(ref _resumedBytes, bytes);

    public void ActionFinished(long bytes, string path)
    {
        var done = Interlocked.Increment(ref _actionsDone);
        var b = Interlocked.Add(ref _bytesDone, bytes);
        ReportProgress("transfer", done, b, path);
    }

    public void ReportProgress(string phase, long? done = null, long? bytes = null, string? path = null, string? message = null)
    {
        var run = Run;
        Env.Progress?.Report(new SyncProgress(
            phase,
            done ?? Interlocked.Read(ref _actionsDone),
            run.TotalActions,
            bytes ?? Interlocked.Read(ref _bytesDone),
            run.TotalBytes,
            run.ObserveDone,
            path,
            message));
    }

    /// <summary>Read-modify-write of the run row with CAS; <paramref name="mutate"/> returns null for "no change".</summary>
    public async Task<RunRecord> UpdateRunAsync(Func<RunRecord, RunRecord?> mutate, CancellationToken cancellationToken)
    {
        var current = Run;
        for (var attempt = 0; ; attempt++)
        {
            var changed = mutate(current);
            if (changed is null)
            {
                return current;
            }

            var c = changed;
            var stored = await Retry.ExecuteAsync(async ct => await Ledger.TryUpdateRunAsync(c, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            if (stored is not null)
            {
                SetRun(stored);
                return stored;
            }

            current = await RefreshRunAsync(cancellationToken).ConfigureAwait(false);
            if (attempt > 50)
            {
                throw new InvalidOperationException($"run {RunId}: too many concurrent updates of the run row");
            }
        }
    }

    public async Task<RunRecord> RefreshRunAsync(CancellationToken cancellationToken)
    {
        var fresh = await Retry.ExecuteAsync(async ct => await Ledger.GetRunAsync(PairId, RunId, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"run {RunId} disappeared from the ledger");
        SetRun(fresh);
        return fresh;
    }

    public void SetRun(RunRecord run)
    {
        lock (_runGate)
        {
            _run = run;
        }
    }

    public void Dispose()
    {
        Stop.Dispose();
        ChunkBuffers.Dispose();
        TransferSlots.Dispose();
    }
}

/// <summary>A work item this process has claimed; the gate serialises lease renewals and completion.</summary>
internal sealed class ClaimedItem(WorkItemRecord record)
{
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public WorkItemRecord Record { get; set; } = record;

    public bool Lost { get; set; }
}
