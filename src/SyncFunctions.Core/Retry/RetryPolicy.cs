using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using SyncFunctions.Abstractions;
using SyncFunctions.Abstractions.Network;

namespace SyncFunctions.Core.Retry;

/// <summary>
/// The one place storage operations are retried. Adapters classify errors into <see cref="StorageException"/>
/// and configure their SDKs not to retry, so attempts never stack.
/// </summary>
/// <remarks>
/// <para>An endpoint that answered earlier and now refuses connections went away (a restart, a failover): such an
/// outage is ridden out for up to <see cref="OutageTolerance"/> from the operation's first failure, with retries at
/// most <see cref="OutageRetryCap"/> apart, however many attempts that takes. An endpoint that never answered (a wrong
/// address) and every other retryable error get <see cref="MaxAttempts"/> attempts.</para>
/// Thread-safe; one instance serves every worker of a run. A retry because an endpoint is unreachable is logged as
/// a warning (at most one every <see cref="UnreachableLogInterval"/>, however many workers wait), so a service that
/// does not answer is said while the attempts go on, not only when they are used up.
/// </remarks>
public sealed class RetryPolicy
{
    /// <summary>The shortest gap between two warnings about retries of an unreachable endpoint.</summary>
    public static readonly TimeSpan UnreachableLogInterval = TimeSpan.FromSeconds(5);

    /// <summary>The longest pause between two retries while an endpoint that answered before is away.</summary>
    public static readonly TimeSpan OutageRetryCap = TimeSpan.FromSeconds(5);

    private static readonly ResiliencePropertyKey<long> FirstFailure = new("syncfn.first-failure");

    private readonly ResiliencePipeline _pipeline;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private long _retries;
    private long _nextUnreachableLog = long.MinValue;

    /// <param name="time">Clock of the backoff delays (and of the warning interval).</param>
    /// <param name="maxAttempts">Attempts per operation, the first included (1: no retries).</param>
    /// <param name="baseDelay">Backoff base (default 200 ms).</param>
    /// <param name="maxDelay">Backoff cap, also for a server's Retry-After (default 30 s).</param>
    /// <param name="random">Jitter source in [0, 1).</param>
    /// <param name="log">Where retries of unreachable endpoints are said; none when null.</param>
    /// <param name="outageTolerance">How long an endpoint that answered before may stay away (default 2 min; zero: <paramref name="maxAttempts"/> only).</param>
    public RetryPolicy(TimeProvider time, int maxAttempts, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null, Func<double>? random = null, ILogger? log = null, TimeSpan? outageTolerance = null)
    {
        OutageTolerance = outageTolerance ?? TimeSpan.FromMinutes(2);
        _time = time;
        _log = log ?? NullLogger.Instance;
        var rnd = random ?? Random.Shared.NextDouble;
        var b = baseDelay ?? TimeSpan.FromMilliseconds(200);
        var cap = maxDelay ?? TimeSpan.FromSeconds(30);
        MaxAttempts = Math.Max(1, maxAttempts);
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = args => new ValueTask<bool>(args.Outcome.Exception is StorageException { IsRetryable: true } e
                    && (FailedSince(args.Context) is var first && (args.AttemptNumber < MaxAttempts - 1 || WithinOutage(e, first)))),
                DelayGenerator = args => new ValueTask<TimeSpan?>(Backoff.Delay(
                    args.AttemptNumber,
                    b,
                    args.Outcome.Exception is { } error && ReachabilityHandler.WentAway(error) && cap > OutageRetryCap ? OutageRetryCap : cap,
                    rnd(),
                    (args.Outcome.Exception as StorageException)?.RetryAfter)),
                OnRetry = args =>
                {
                    Interlocked.Increment(ref _retries);
                    if (args.Outcome.Exception is StorageException { Kind: StorageErrorKind.Unreachable } unreachable && TakeUnreachableLogTurn())
                    {
                        var delay = args.RetryDelay.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
                        if (args.AttemptNumber < MaxAttempts - 1)
                        {
                            Logs.RetryingUnreachable(_log, args.AttemptNumber + 1, MaxAttempts, delay, unreachable.Message);
                        }
                        else
                        {
                            Logs.WaitingForEndpoint(_log, args.AttemptNumber + 1, delay, Durations(OutageTolerance), unreachable.Message);
                        }
                    }

                    return default;
                },
            });
        }

        _pipeline = builder.Build();
    }

    public int MaxAttempts { get; }

    /// <summary>How long an endpoint that answered before may refuse connections before its operations fail.</summary>
    public TimeSpan OutageTolerance { get; }

    /// <summary>Retries performed so far (for summaries and tests).</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Runs <paramref name="operation"/>, retrying retryable storage errors with backoff.</summary>
    public async ValueTask<T> ExecuteAsync<T>(Func<CancellationToken, ValueTask<T>> operation, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            return await _pipeline.ExecuteAsync(static (c, op) => op(c.CancellationToken), context, operation).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public async ValueTask ExecuteAsync(Func<CancellationToken, ValueTask> operation, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            await _pipeline.ExecuteAsync(static (c, op) => op(c.CancellationToken), context, operation).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// True while an endpoint that answered before has been away for less than <see cref="OutageTolerance"/>, timed
    /// from this operation's first failure.
    /// </summary>
    private bool WithinOutage(StorageException error, long firstFailure) =>
        error.Kind == StorageErrorKind.Unreachable
        && OutageTolerance > TimeSpan.Zero
        && ReachabilityHandler.WentAway(error)
        && _time.GetElapsedTime(firstFailure) < OutageTolerance;

    /// <summary>The timestamp of the operation's first failure (recorded on its context at the first one).</summary>
    private long FailedSince(ResilienceContext context)
    {
        if (context.Properties.TryGetValue(FirstFailure, out var first))
        {
            return first;
        }

        var now = _time.GetTimestamp();
        context.Properties.Set(FirstFailure, now);
        return now;
    }

    private static string Durations(TimeSpan span) =>
        span.TotalMinutes >= 1 && span.Ticks % TimeSpan.TicksPerMinute == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0} min")
            : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#} s");

    /// <summary>True for the one caller that may log now; the next may log <see cref="UnreachableLogInterval"/> later.</summary>
    private bool TakeUnreachableLogTurn()
    {
        var now = _time.GetTimestamp();
        var next = Interlocked.Read(ref _nextUnreachableLog);
        var interval = (long)(UnreachableLogInterval.TotalSeconds * _time.TimestampFrequency);
        return now >= next && Interlocked.CompareExchange(ref _nextUnreachableLog, now + interval, next) == next;
    }
}
