using Microsoft.Extensions.Logging;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.InProcess;

/// <summary>One process's drive of one run: the coordinator loop (or a joiner's), its workers and its lease.</summary>
internal sealed partial class DriveSession(InProcessDriver driver, RunSteps steps, RunRef run, SyncOptions options, ProgressTally progress, long started)
{
    private readonly object _gate = new();
    private readonly HashSet<string> _dispatched = new(StringComparer.Ordinal);
    private TransferCounters _counters = TransferCounters.None;
    private Exception? _fatal;
    private volatile bool _cancelRequested;
    private volatile bool _ownershipLost;
    private int _errorsInRow;
    private ObserveResult? _observed;

    public bool Resumed { get; init; }

    /// <summary>Options the resumed run did not take (said in the summary).</summary>
    public string? Notice { get; init; }

    /// <summary>The overlay a dry run plans into (its plan is read back for the report).</summary>
    public DryRunLedger? DryRunLedger { get; init; }

    private EngineEnvironment Env => driver.Env;

    public async Task<RunSummary> RunAsync(bool isCoordinator, CancellationToken interrupt)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt);
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = isCoordinator ? HeartbeatAsync(stop, heartbeatStop.Token) : Task.CompletedTask;
        var complete = false;
        try
        {
            var workers = Enumerable.Range(0, options.Parallel).Select(_ => LeaseOwners.New(Env.Owner)).ToList();
            var dispatcher = new ChannelWorkDispatcher(ExecuteAsync, workers, stop.Token);
            await using (dispatcher.ConfigureAwait(false))
            {
                var observe = isCoordinator ? Task.Run(() => ObserveLoopAsync(dispatcher, stop), CancellationToken.None) : Task.CompletedTask;
                try
                {
                    complete = await CoordinateAsync(dispatcher, observe, isCoordinator, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
                catch (Exception ex)
                {
                    _fatal ??= ex;
                }

                if (!complete)
                {
                    await stop.CancelAsync().ConfigureAwait(false);
                }

                await Swallow(observe).ConfigureAwait(false);

                // What the workers did before they stopped (an interrupted item's transfers) counts in the summary.
                await dispatcher.StopAsync().ConfigureAwait(false);
                while (dispatcher.Completions.TryRead(out var late))
                {
                    lock (_gate)
                    {
                        _counters = _counters.Add(late.Result.Counters);
                    }
                }
            }

            return await EndAsync(isCoordinator, complete, interrupt).ConfigureAwait(false);
        }
        finally
        {
            await heartbeatStop.CancelAsync().ConfigureAwait(false);
            await Swallow(heartbeat).ConfigureAwait(false);
        }
    }

    /// <summary>Runs until the run is complete (true) or this process must stop (false).</summary>
    private async Task<bool> CoordinateAsync(ChannelWorkDispatcher dispatcher, Task observe, bool isCoordinator, CancellationTokenSource stop)
    {
        var token = stop.Token;
        while (!token.IsCancellationRequested)
        {
            while (dispatcher.Completions.TryRead(out var done))
            {
                await HandleAsync(dispatcher, done, stop).ConfigureAwait(false);
            }

            if (observe.IsFaulted)
            {
                await observe.ConfigureAwait(false);
            }

            if (_fatal is not null || token.IsCancellationRequested)
            {
                return false;
            }

            if (!observe.IsCompleted || dispatcher.InFlight > 0)
            {
                var waits = new List<Task> { dispatcher.Completions.WaitToReadAsync(token).AsTask() };
                if (!observe.IsCompleted)
                {
                    waits.Add(observe);
                }

                await Task.WhenAny(waits).ConfigureAwait(false);
                continue;
            }

            if (options.DryRun)
            {
                return true; // the plan is complete; a dry run executes none of it
            }

            if (_errorsInRow > 0)
            {
                // Items failed with errors that were retried already: give the service a moment before claiming them again.
                await Task.Delay(Retry.Backoff.Delay(_errorsInRow - 1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 1, null), Env.Time, token).ConfigureAwait(false);
            }

            if (isCoordinator && _observed is { More: false, WorkItems: 0 })
            {
                return true; // observation planned nothing: no item rows to read
            }

            var check = await StepCalls.RunAsync(ct => steps.CheckCompletionAsync(run, ct), Env.Time, token).ConfigureAwait(false);
            progress.Totals(check.Progress.Actions, check.Progress.TotalBytes, check.ObserveDone);
            progress.Seen(check.Progress.Ended, check.Progress.BytesDone);
            if (check.CancelRequested)
            {
                _cancelRequested = true;
                return false;
            }

            if (check.Complete)
            {
                return isCoordinator;
            }

            // Checked only with observation over and nothing in flight: an isolated item runs alone, before anything
            // else, so a death of this process while it runs is its own.
            var dispatched = 0;
            if (check.Claimable.FirstOrDefault(t => t.Isolate) is { } isolated)
            {
                dispatched += await TryDispatchAsync(dispatcher, isolated, token).ConfigureAwait(false) ? 1 : 0;
            }
            else
            {
                foreach (var ticket in check.Claimable)
                {
                    dispatched += await TryDispatchAsync(dispatcher, ticket, token).ConfigureAwait(false) ? 1 : 0;
                }
            }

            if (dispatched == 0)
            {
                if (!isCoordinator && check.ObserveDone && check.Claimable.Count == 0)
                {
                    return false; // a joiner's share is done; the coordinator finishes the run
                }

                // Other workers hold the rest (or their leases are about to end): look again in a while.
                await Task.WhenAny(dispatcher.Completions.WaitToReadAsync(token).AsTask(), Task.Delay(InProcessDriver.RescanInterval, Env.Time, token)).ConfigureAwait(false);
            }
        }

        return false;
    }

    private async Task HandleAsync(ChannelWorkDispatcher dispatcher, WorkCompletion done, CancellationTokenSource stop)
    {
        lock (_gate)
        {
            _dispatched.Remove(done.Ticket.ItemId);
            _counters = _counters.Add(done.Result.Counters);
        }

        switch (done.Result.Outcome)
        {
            case WorkOutcome.Done or WorkOutcome.AlreadyDone or WorkOutcome.Continued:
                _errorsInRow = 0;
                if (done.Result.CommitReady is { } parent)
                {
                    await TryDispatchAsync(dispatcher, new WorkItemTicket(parent, WorkItemKind.LargeFile, RangeCount: 1), stop.Token).ConfigureAwait(false);
                }
                else if (done.Result.Outcome == WorkOutcome.Continued)
                {
                    await TryDispatchAsync(dispatcher, done.Ticket, stop.Token).ConfigureAwait(false);
                }

                break;
            case WorkOutcome.Errored when done.Error is StorageException { Kind: StorageErrorKind.Authentication } or not (null or StorageException or IOException or InvalidOperationException):
                _fatal ??= done.Error;
                await stop.CancelAsync().ConfigureAwait(false);
                break;
            case WorkOutcome.Errored:
                _errorsInRow++;
                break;
        }
    }

    /// <summary>Dispatches an item this process is not working on already.</summary>
    private async Task<bool> TryDispatchAsync(ChannelWorkDispatcher dispatcher, WorkItemTicket ticket, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_dispatched.Add(ticket.ItemId))
            {
                return false;
            }
        }

        await dispatcher.DispatchAsync(ticket, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private Task<WorkItemResult> ExecuteAsync(WorkItemTicket ticket, string workerId, CancellationToken cancellationToken) =>
        steps.ExecuteWorkItemAsync(new WorkRef(run.PairId, run.RunId, ticket.ItemId, workerId, Alone: ticket.Isolate), cancellationToken);

    /// <summary>Observation, unit after unit; each work item a listing writes starts at once (deletes and ranged commits wait for the fan-in).</summary>
    private async Task ObserveLoopAsync(ChannelWorkDispatcher dispatcher, CancellationTokenSource stop)
    {
        var token = stop.Token;
        while (!token.IsCancellationRequested)
        {
            var result = await StepCalls.RunAsync(
                ct => steps.ObserveAsync(run, long.MaxValue, options.DryRun || options.ExpectedPlan is not null ? null : (ticket, t) => StartNewAsync(dispatcher, ticket, t), ct),
                Env.Time,
                token).ConfigureAwait(false);
            _observed = result;
            progress.Totals(result.TotalActions, result.TotalBytes, !result.More);
            if (result.Staged > 0)
            {
                progress.Phase("enumerate", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{result.Staged:N0} changes read from the change feed"));
            }
            else
            {
                progress.Phase("observe");
            }

            if (result.NotCoordinator)
            {
                _ownershipLost = true;
                await stop.CancelAsync().ConfigureAwait(false);
                return;
            }

            if (!result.More)
            {
                return;
            }
        }
    }

    private async ValueTask StartNewAsync(ChannelWorkDispatcher dispatcher, WorkItemTicket ticket, CancellationToken cancellationToken)
    {
        if (ticket.Kind == WorkItemKind.Deletes || (ticket.Kind == WorkItemKind.LargeFile && ticket.RangeCount > 0))
        {
            return;
        }

        await TryDispatchAsync(dispatcher, ticket, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renews the coordinator lease; sees <c>runs cancel</c> and a lost lease. Runs until the session ends (finalizing included).</summary>
    private async Task HeartbeatAsync(CancellationTokenSource stop, CancellationToken end)
    {
        while (!end.IsCancellationRequested)
        {
            await Task.Delay(options.HeartbeatInterval, Env.Time, end).ConfigureAwait(false);
            try
            {
                var lease = await steps.RenewCoordinatorLeaseAsync(run, end).ConfigureAwait(false);
                if (lease.Ended || lease.CancelRequested)
                {
                    _cancelRequested = true;
                    await stop.CancelAsync().ConfigureAwait(false);
                }
                else if (!lease.Held)
                {
                    _ownershipLost = true;
                    await stop.CancelAsync().ConfigureAwait(false);
                }
            }
            catch (StorageException)
            {
                // Missed once (the decorator retried): the lease is three renewals long.
            }
        }
    }

    private static async Task Swallow(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Reported through the primary failure.
        }
    }
}
