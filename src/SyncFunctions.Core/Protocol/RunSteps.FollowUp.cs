using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Protocol;

public sealed partial class RunSteps
{
    /// <summary>The trigger recorded on a follow-up run.</summary>
    public const string FollowUpTrigger = "dirty";

    /// <summary>
    /// Starts the run that follows <paramref name="previousRunId"/>, which ended with its pair marked dirty
    /// (<see cref="FinalizeResult.RunAgain"/>), with that run's options. Idempotent: the follow-up's id is derived from
    /// the previous run, so a repeated call finds the run it started (Started, or the run's status when it has ended)
    /// instead of starting another; when another run holds the pair (a trigger started it after the previous run
    /// ended, so it covers the change) the result is Busy and nothing starts.
    /// </summary>
    /// <returns>Started (new, or found still running), Resumed (a dead coordinator's run taken over), or Busy.</returns>
    public async Task<StartRunResult> StartFollowUpRunAsync(string pairId, string previousRunId, string coordinatorId, CancellationToken cancellationToken)
    {
        var previous = await LoadRunAsync(pairId, previousRunId, cancellationToken).ConfigureAwait(false);
        if (previous.Status == RunStatus.Running)
        {
            return new StartRunResult(StartKind.Busy, previous.RunId, $"run {previous.RunId} has not ended");
        }

        var runId = RunIds.FollowUp(previous.RunId, previous.EndedAt ?? previous.CreatedAt);
        if (await Ledger.GetRunAsync(pairId, runId, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing.Status == RunStatus.Running
                ? new StartRunResult(StartKind.Started, runId, "started before")
                : new StartRunResult(StartKind.Busy, runId, $"run {runId} has ended ({existing.Status})");
        }

        var pair = await Ledger.GetPairAsync(pairId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"pair {pairId} is not in the ledger");
        var options = StoredOptions.Restore(previous.OptionsJson, new SyncOptions()) with { Trigger = FollowUpTrigger };
        var start = await StartRunAsync(new StartRunRequest(pair, options, coordinatorId, MarkDirtyWhenBusy: false, RunId: runId), cancellationToken).ConfigureAwait(false);

        // Busy with the follow-up itself: a concurrent call is creating it.
        return start.Kind == StartKind.Busy && start.RunId == runId ? start with { Kind = StartKind.Started, Message = "being started" } : start;
    }
}
