using SyncFunctions.Abstractions;
using SyncFunctions.Core.Retry;

namespace SyncFunctions.Core.InProcess;

/// <summary>
/// The driver's retry of a whole step, as a Durable orchestration sets retry options on an activity: a step that
/// failed with a retryable error after the store and ledger decorators' own attempts (a service down for longer than
/// they wait) runs again, whole, after a growing pause. Steps are idempotent, so this is safe at any point.
/// </summary>
internal static class StepCalls
{
    public const int MaxAttempts = 8;

    public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> step, TimeProvider time, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await step(cancellationToken).ConfigureAwait(false);
            }
            catch (StorageException ex) when (ex.IsRetryable && attempt < MaxAttempts - 1 && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(Backoff.Delay(attempt, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.5 + (Random.Shared.NextDouble() / 2), ex.RetryAfter), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
