using System.Threading.Channels;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.InProcess;

/// <summary>
/// The in-process dispatcher: bounded channels and a fixed set of worker tasks, each with its own lease owner id.
/// Small batches and deletes come first; at most half of the workers take large files and chunk ranges, so large
/// files never starve small ones.
/// </summary>
/// <remarks>Thread-safe. Disposing stops the workers after their current item and waits for them.</remarks>
internal sealed class ChannelWorkDispatcher : IWorkDispatcher
{
    private readonly Channel<WorkItemTicket> _small;
    private readonly Channel<WorkItemTicket> _large;
    private readonly Channel<WorkCompletion> _completions = Channel.CreateUnbounded<WorkCompletion>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<WorkItemTicket, string, CancellationToken, Task<WorkItemResult>> _execute;
    private readonly CancellationTokenSource _stop;
    private readonly Task[] _workers;
    private readonly int _largeLimit;
    private int _largeActive;
    private int _inFlight;
    private TaskCompletionSource _largeFreed = NewSignal();

    /// <param name="execute">Runs one item's step as the given worker id.</param>
    /// <param name="workerIds">One lease owner id per worker.</param>
    /// <param name="stop">Stops the workers (their current step sees it too).</param>
    public ChannelWorkDispatcher(Func<WorkItemTicket, string, CancellationToken, Task<WorkItemResult>> execute, IReadOnlyList<string> workerIds, CancellationToken stop)
    {
        _execute = execute;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var capacity = Math.Max(4, workerIds.Count * 2);
        _small = Channel.CreateBounded<WorkItemTicket>(new BoundedChannelOptions(capacity) { SingleWriter = false });
        _large = Channel.CreateBounded<WorkItemTicket>(new BoundedChannelOptions(capacity) { SingleWriter = false });
        _largeLimit = Math.Max(1, workerIds.Count / 2);
        _workers = workerIds.Select(id => Task.Run(() => WorkerAsync(id, _stop.Token), CancellationToken.None)).ToArray();
    }

    public ChannelReader<WorkCompletion> Completions => _completions.Reader;

    public int InFlight => Volatile.Read(ref _inFlight);

    public async ValueTask DispatchAsync(WorkItemTicket ticket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        Interlocked.Increment(ref _inFlight);
        try
        {
            await (IsLarge(ticket) ? _large : _small).Writer.WriteAsync(ticket, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Decrement(ref _inFlight);
            throw;
        }
    }

    /// <summary>Stops the workers and waits for them; the completions they wrote stay readable. Idempotent.</summary>
    public async Task StopAsync()
    {
        _small.Writer.TryComplete();
        _large.Writer.TryComplete();
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_workers).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private static bool IsLarge(WorkItemTicket t) => t.Kind is WorkItemKind.LargeFile or WorkItemKind.ChunkRange;

    private async Task WorkerAsync(string workerId, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var ticket = await TakeAsync(stop).ConfigureAwait(false);
            if (ticket is null)
            {
                return;
            }

            var large = IsLarge(ticket);
            WorkItemResult result;
            Exception? error = null;
            try
            {
                result = await _execute(ticket, workerId, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                result = new WorkItemResult(WorkOutcome.Interrupted);
            }
            catch (Exception ex)
            {
                // The driver decides: a fatal error (credentials) stops the run, anything else is retried.
                result = new WorkItemResult(WorkOutcome.Errored, Message: ex.Message);
                error = ex;
            }
            finally
            {
                if (large)
                {
                    Interlocked.Decrement(ref _largeActive);
                    Interlocked.Exchange(ref _largeFreed, NewSignal()).TrySetResult();
                }
            }

            Interlocked.Decrement(ref _inFlight);
            _completions.Writer.TryWrite(new WorkCompletion(ticket, result, error));
        }
    }

    /// <summary>The next ticket: small first; large only while fewer than half the workers hold one.</summary>
    private async Task<WorkItemTicket?> TakeAsync(CancellationToken stop)
    {
        while (true)
        {
            if (_small.Reader.TryRead(out var small))
            {
                return small;
            }

            if (Interlocked.Increment(ref _largeActive) <= _largeLimit)
            {
                if (_large.Reader.TryRead(out var large))
                {
                    return large;
                }
            }

            Interlocked.Decrement(ref _largeActive);
            var freed = Volatile.Read(ref _largeFreed).Task;
            var waits = new List<Task> { _small.Reader.WaitToReadAsync(stop).AsTask() };
            waits.Add(Volatile.Read(ref _largeActive) < _largeLimit ? _large.Reader.WaitToReadAsync(stop).AsTask() : freed.WaitAsync(stop));
            try
            {
                await Task.WhenAny(waits).ConfigureAwait(false);
                stop.ThrowIfCancellationRequested();
                if (_small.Reader.Completion.IsCompleted && _large.Reader.Completion.IsCompleted)
                {
                    return null;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return null;
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
