using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.InProcess;

/// <summary>
/// This process's view of claimable work: small batches first, large files next, deletes last.
/// Items come from the observer as they are written and from ledger scans (resume, other workers, expired leases).
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class WorkQueue
{
    private readonly object _gate = new();
    private readonly Queue<WorkItemRecord> _small = new();
    private readonly Queue<WorkItemRecord> _large = new();
    private readonly Queue<WorkItemRecord> _deletes = new();
    private readonly HashSet<string> _queuedOrRunning = new(StringComparer.Ordinal);
    private readonly HashSet<string> _outstanding = new(StringComparer.Ordinal);
    private readonly HashSet<string> _outstandingNonDelete = new(StringComparer.Ordinal);
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Items known not to be Done (queued here, running here, or held by another worker).</summary>
    public int Outstanding
    {
        get
        {
            lock (_gate)
            {
                return _outstanding.Count;
            }
        }
    }

    public int OutstandingNonDelete
    {
        get
        {
            lock (_gate)
            {
                return _outstandingNonDelete.Count;
            }
        }
    }

    /// <summary>Records an item that is not Done; queues it when it is claimable now.</summary>
    public void Track(WorkItemRecord item, bool claimable)
    {
        lock (_gate)
        {
            _outstanding.Add(item.ItemId);
            if (item.Kind != WorkItemKind.Deletes)
            {
                _outstandingNonDelete.Add(item.ItemId);
            }

            if (claimable && _queuedOrRunning.Add(item.ItemId))
            {
                (item.Kind switch
                {
                    WorkItemKind.SmallBatch => _small,
                    WorkItemKind.LargeFile => _large,
                    _ => _deletes,
                }).Enqueue(item);
            }
        }

        Pulse();
    }

    /// <summary>Takes the next item: small first; large only when allowed; deletes only when allowed.</summary>
    public WorkItemRecord? TryTake(bool allowLarge, bool allowDeletes)
    {
        lock (_gate)
        {
            if (_small.TryDequeue(out var s))
            {
                return s;
            }

            if (allowLarge && _large.TryDequeue(out var l))
            {
                return l;
            }

            if (allowDeletes && _deletes.TryDequeue(out var d))
            {
                return d;
            }

            return null;
        }
    }

    /// <summary>The item is Done (by anyone).</summary>
    public void MarkDone(string itemId)
    {
        lock (_gate)
        {
            _outstanding.Remove(itemId);
            _outstandingNonDelete.Remove(itemId);
            _queuedOrRunning.Remove(itemId);
        }

        Pulse();
    }

    /// <summary>This process no longer holds or queues the item (released, lost, or claimed elsewhere).</summary>
    public void Release(string itemId)
    {
        lock (_gate)
        {
            _queuedOrRunning.Remove(itemId);
        }

        Pulse();
    }

    public bool IsQueuedOrRunning(string itemId)
    {
        lock (_gate)
        {
            return _queuedOrRunning.Contains(itemId);
        }
    }

    /// <summary>Completes when anything changes (or the caller's timeout elapses).</summary>
    public Task WaitAsync()
    {
        lock (_gate)
        {
            return _signal.Task;
        }
    }

    public void Pulse()
    {
        TaskCompletionSource old;
        lock (_gate)
        {
            old = _signal;
            _signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        old.TrySetResult();
    }
}
