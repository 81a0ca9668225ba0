using Microsoft.DurableTask;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Orchestration;

/// <summary>
/// What <see cref="FollowUpActivity"/> is asked: the run that ended with its pair marked dirty, and the coordinator id
/// of the run to start (made by the orchestration, so a repeated delivery of the activity uses the same one).
/// </summary>
public sealed record FollowUpOrder(string PairId, string PreviousRunId, string CoordinatorId, RunOrchestrationLimits? Limits = null);

/// <summary>What <see cref="FollowUpActivity"/> did: the run that follows (null when none), and started, resumed or busy.</summary>
public sealed record FollowUpResult(string? RunId, string Kind, string? Message = null);

/// <summary>
/// Starts the run that follows a run whose pair was marked dirty while it ran (<see cref="RunSteps.StartFollowUpRunAsync"/>)
/// and launches its orchestration. Idempotent: the follow-up's id is derived from the previous run and the pair row's
/// CAS decides, so a duplicate delivery finds the run it started and at most launches its orchestration once more
/// (a no-op when the instance exists).
/// </summary>
public sealed class FollowUpActivity(IRunStepsProvider steps, IRunLauncher launcher) : TaskActivity<FollowUpOrder, FollowUpResult>
{
    public override async Task<FollowUpResult> RunAsync(TaskActivityContext context, FollowUpOrder input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var s = await steps.GetAsync(input.PairId, CancellationToken.None).ConfigureAwait(false);
        var start = await s.StartFollowUpRunAsync(input.PairId, input.PreviousRunId, input.CoordinatorId, CancellationToken.None).ConfigureAwait(false);
        if (start.Kind is not (StartKind.Started or StartKind.Resumed))
        {
            return new FollowUpResult(start.Kind == StartKind.Busy ? start.RunId : null, "busy", start.Message);
        }

        var resumed = start.Kind == StartKind.Resumed;
        await launcher.LaunchAsync(new RunOrchestrationInput(input.PairId, start.RunId!, input.CoordinatorId, Limits: input.Limits), resumed, CancellationToken.None).ConfigureAwait(false);
        return new FollowUpResult(start.RunId, resumed ? "resumed" : "started", start.Message);
    }
}
