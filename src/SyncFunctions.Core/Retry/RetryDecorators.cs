using Microsoft.Extensions.Logging;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.Retry;

/// <summary>
/// The one place a host applies retries: every storage and ledger call of a run goes through one policy (exponential
/// backoff with jitter, honouring Retry-After). Composition roots call this once; nothing below retries again.
/// </summary>
public static class RetryDecorators
{
    /// <summary>The host's one policy: <see cref="StepSettings.MaxAttempts"/> attempts; retries of unreachable endpoints said on <paramref name="log"/>.</summary>
    public static RetryPolicy PolicyFor(TimeProvider time, StepSettings? settings = null, ILogger? log = null) =>
        new(time, (settings ?? StepSettings.Default).MaxAttempts, log: log);

    public static ILedger Ledger(ILedger ledger, RetryPolicy policy) =>
        ledger is RetryingLedger ? ledger : new RetryingLedger(ledger, policy);

    public static IObjectStore Store(IObjectStore store, RetryPolicy policy) =>
        store is RetryingObjectStore ? store : new RetryingObjectStore(store, policy);
}
