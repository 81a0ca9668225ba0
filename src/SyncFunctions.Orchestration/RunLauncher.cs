using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace SyncFunctions.Orchestration;

/// <summary>
/// Schedules the orchestration of a run whose pair row already names it (instance id = run id). Hosts pass their
/// Durable client: <c>serve</c> its <see cref="DurableTaskClient"/>, the Functions app its <c>[DurableClient]</c>.
/// </summary>
public interface IRunLauncher
{
    /// <summary>
    /// Schedules <paramref name="input"/>'s orchestration unless an instance of the run exists already (a repeated
    /// launch is harmless); with <paramref name="takeOver"/> (the run was taken over from a coordinator that is gone) a
    /// running instance is terminated first so the new one can take the run's id.
    /// </summary>
    Task LaunchAsync(RunOrchestrationInput input, bool takeOver, CancellationToken cancellationToken);
}

/// <summary><see cref="IRunLauncher"/> on a <see cref="DurableTaskClient"/>.</summary>
public sealed class DurableRunLauncher(DurableTaskClient client) : IRunLauncher
{
    public async Task LaunchAsync(RunOrchestrationInput input, bool takeOver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var existing = await client.GetInstanceAsync(input.RunId, cancellationToken).ConfigureAwait(false);
        if (existing is not null && !takeOver)
        {
            // Running, pending, or already ended: this run has had its orchestration.
            return;
        }

        if (existing is { IsRunning: true } or { RuntimeStatus: OrchestrationRuntimeStatus.Pending })
        {
            // Its instance (if it ever comes back) would only find its lease lost. End it so the run's new
            // orchestration can take the run's id.
            await client.TerminateInstanceAsync(input.RunId, "run taken over by a new coordinator", cancellationToken).ConfigureAwait(false);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(TimeSpan.FromSeconds(30));
            await client.WaitForInstanceCompletionAsync(input.RunId, wait.Token).ConfigureAwait(false);
        }

        await client.ScheduleNewOrchestrationInstanceAsync(RunActivityNames.Orchestrator, input, new StartOrchestrationOptions(input.RunId), cancellationToken).ConfigureAwait(false);
    }
}
