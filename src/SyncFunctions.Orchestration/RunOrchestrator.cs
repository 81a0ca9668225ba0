using Microsoft.DurableTask;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;
using DurableRetryPolicy = Microsoft.DurableTask.RetryPolicy;

namespace SyncFunctions.Orchestration;

/// <summary>
/// One run as a Durable orchestration (instance id = run id): observe unit by unit until the plan is complete, then
/// fan out the claimable work items in bounded batches and fan in, continuing as new between generations so the
/// history stays bounded, and finalize (cursor last). Every decision comes from the ledger through the run steps,
/// so a replay, a duplicate activity or a crashed worker changes nothing: the items' leases and CAS writes decide.
/// </summary>
/// <remarks>
/// <para>Deterministic: no clock, no randomness, no I/O here; the steps run in activities. Activities are retried
/// three times with backoff for infrastructure failures; a work item that still fails is released by its step and
/// claimed again by a later batch, and given up by the ledger's attempt count, so a poison item ends as Failed
/// actions with a reason, never as a stuck orchestration.</para>
/// <para>An isolated item (its workers kept dying) is scheduled in a batch of its own. An activity runs next to
/// others in a worker process, so it cannot promise to run alone (<see cref="WorkOrder.Alone"/> false): such an item
/// is given up after more deaths than under the in-process driver, but still bounded.</para>
/// </remarks>
public sealed class RunOrchestrator : TaskOrchestrator<RunOrchestrationInput, FinalizeResult?>
{
    /// <summary>Retries of an activity whose worker failed it (not a work item's own failure: steps return those).</summary>
    public static readonly TaskOptions ActivityRetry = TaskOptions.FromRetryPolicy(new DurableRetryPolicy(3, TimeSpan.FromSeconds(2), 2.0, TimeSpan.FromSeconds(30)));

    public override async Task<FinalizeResult?> RunAsync(TaskOrchestrationContext context, RunOrchestrationInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            return await DriveAsync(context, input);
        }
        catch (TaskFailedException e)
        {
            // A step that kept failing (a source gone, storage refusing): the run is handed back with the reason, so
            // the pair is not blocked for a coordinator lease and the next start resumes it; the orchestration fails.
            var details = e.FailureDetails;
            await context.CallActivityAsync<bool>(RunActivityNames.Release, new ReleaseOrder(input.Run, $"{details.ErrorType}: {details.ErrorMessage}"), ActivityRetry);
            throw;
        }
    }

    private static async Task<FinalizeResult?> DriveAsync(TaskOrchestrationContext context, RunOrchestrationInput input)
    {
        var limits = input.Limits ?? RunOrchestrationLimits.Default;
        var run = input.Run;
        var activities = 0;

        if (input.Phase == RunPhase.Observe)
        {
            while (true)
            {
                if (await LeaseAsync(context, run) is { } stop)
                {
                    return await StopAsync(context, run, stop);
                }

                var observed = await context.CallActivityAsync<ObserveResult>(RunActivityNames.Observe, new ObserveOrder(run, limits.ObserveActionsPerUnit), ActivityRetry);
                activities += 2;
                context.SetCustomStatus(new RunStatusView("observe", 0, observed.TotalActions, 0, observed.TotalBytes, 0, input.Generation, input.Activities + activities));
                if (observed.NotCoordinator)
                {
                    return Lost(run);
                }

                if (!observed.More)
                {
                    break;
                }

                if (activities >= limits.ActivitiesPerGeneration)
                {
                    context.ContinueAsNew(input with { Generation = input.Generation + 1, Activities = input.Activities + activities });
                    return null;
                }
            }
        }

        while (true)
        {
            if (await LeaseAsync(context, run) is { } stop)
            {
                return await StopAsync(context, run, stop);
            }

            var check = await context.CallActivityAsync<CompletionResult>(RunActivityNames.CheckCompletion, run, ActivityRetry);
            activities += 2;
            var p = check.Progress;
            context.SetCustomStatus(new RunStatusView(check.Complete ? "finalize" : "execute", p.Ended, p.Actions, p.BytesDone, p.TotalBytes, p.Failed, input.Generation, input.Activities + activities + (check.Complete ? 1 : 0)));
            if (check.CancelRequested)
            {
                return await StopAsync(context, run, StopReason.Cancelled);
            }

            if (check.Complete)
            {
                var final = await context.CallActivityAsync<FinalizeResult>(RunActivityNames.Finalize, run, ActivityRetry);
                if (final.RunAgain)
                {
                    // The pair was marked dirty during the run: one more run covers what arrived meanwhile. The
                    // coordinator id comes from the replay-safe GUID, so a repeated activity starts nothing new.
                    var order = new FollowUpOrder(run.PairId, run.RunId, "orch:" + context.NewGuid().ToString("N"), input.Limits);
                    var next = await context.CallActivityAsync<FollowUpResult>(RunActivityNames.FollowUp, order, ActivityRetry);
                    context.SetCustomStatus(new RunStatusView("ended", p.Ended, p.Actions, p.BytesDone, p.TotalBytes, p.Failed, input.Generation) { NextRunId = next.RunId });
                }

                return final;
            }

            var batch = Batch(check.Claimable, limits.MaxInFlight);
            if (batch.Count == 0)
            {
                // Everything open is held by live leases (or a dead worker's lease has yet to run out).
                await context.CreateTimer(TimeSpan.FromSeconds(limits.IdleWaitSeconds), CancellationToken.None);
                continue;
            }

            var results = await Task.WhenAll(batch.Select(t => ExecuteAsync(context, new WorkOrder(run.PairId, run.RunId, t.ItemId))));
            activities += batch.Count;

            // A chunk range that completed its file's set: commit it at once rather than after the next fan-in.
            var commits = results.Where(r => r.CommitReady is not null).Select(r => r.CommitReady!).Distinct(StringComparer.Ordinal).ToList();
            if (commits.Count > 0)
            {
                await Task.WhenAll(commits.Select(id => ExecuteAsync(context, new WorkOrder(run.PairId, run.RunId, id))));
                activities += commits.Count;
            }

            if (activities >= limits.ActivitiesPerGeneration)
            {
                context.ContinueAsNew(input with { Phase = RunPhase.Execute, Generation = input.Generation + 1, Activities = input.Activities + activities });
                return null;
            }
        }
    }

    /// <summary>The next batch: an isolated item alone, else up to <paramref name="max"/> items in the fan-in's order.</summary>
    internal static IReadOnlyList<WorkItemTicket> Batch(IReadOnlyList<WorkItemTicket> claimable, int max) =>
        claimable.FirstOrDefault(t => t.Isolate) is { } isolated ? [isolated] : [.. claimable.Take(Math.Max(1, max))];

    private static async Task<WorkItemResult> ExecuteAsync(TaskOrchestrationContext context, WorkOrder order)
    {
        try
        {
            return await context.CallActivityAsync<WorkItemResult>(RunActivityNames.ExecuteWorkItem, order, ActivityRetry);
        }
        catch (TaskFailedException e)
        {
            // The step released the item (its failures are counted on it); the next fan-in lists it again.
            return new WorkItemResult(WorkOutcome.Errored, Message: e.FailureDetails.ErrorMessage);
        }
    }

    private enum StopReason
    {
        Cancelled,
        Ended,
        Lost,
    }

    private static async Task<StopReason?> LeaseAsync(TaskOrchestrationContext context, RunRef run)
    {
        var lease = await context.CallActivityAsync<LeaseResult>(RunActivityNames.RenewLease, run, ActivityRetry);
        return lease.Ended ? StopReason.Ended
            : lease.CancelRequested ? StopReason.Cancelled
            : !lease.Held ? StopReason.Lost
            : null;
    }

    private static async Task<FinalizeResult?> StopAsync(TaskOrchestrationContext context, RunRef run, StopReason reason) => reason switch
    {
        StopReason.Lost => Lost(run),
        _ => await context.CallActivityAsync<FinalizeResult>(RunActivityNames.Cancel, run, ActivityRetry),
    };

    private static FinalizeResult Lost(RunRef run) =>
        new(RunStatus.Running, new RunProgress(0, 0, 0, 0, 0, 0, 0), 0, false, Message: $"run {run.RunId}: another coordinator holds its lease; this orchestration stops");
}
