using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Retry;

/// <summary>
/// The one place storage operations are retried. Adapters classify errors into <see cref="StorageException"/>
/// and configure their SDKs not to retry, so attempts never stack.
/// </summary>
/// <remarks>
/// Thread-safe; one instance serves every worker of a run. A retry because an endpoint is unreachable is logged as
/// a warning (at most one every <see cref="UnreachableLogInterval"/>, however many workers wait), so a service that
/// does not answer is said while the attempts go on, not only when they are used up.
/// </remarks>
public sealed class RetryPolicy
{
    /// <summary>The shortest gap between two warnings about retries of an unreachable endpoint.</summary>
    public static readonly TimeSpan UnreachableLogInterval = TimeSpan.FromSeconds(5);

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
    public RetryPolicy(TimeProvider time, int maxAttempts, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null, Func<double>? random = null, ILogger? log = null)
    {
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
                MaxRetryAttempts = MaxAttempts - 1,
                ShouldHandle = new PredicateBuilder().Handle<StorageException>(e => e.IsRetryable),
                DelayGenerator = args => new ValueTask<TimeSpan?>(Backoff.Delay(
                    args.AttemptNumber,
                    b,
                    cap,
                    rnd(),
                    (args.Outcome.Exception as StorageException)?.RetryAfter)),
                OnRetry = args =>
                {
                    Interlocked.Increment(ref _retries);
                    if (args.Outcome.Exception is StorageException { Kind: StorageErrorKind.Unreachable } unreachable && TakeUnreachableLogTurn())
                    {
                        var delay = args.RetryDelay.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
                        Logs.RetryingUnreachable(_log, args.AttemptNumber + 1, MaxAttempts, delay, unreachable.Message);
                    }

                    return default;
                },
            });
        }

        _pipeline = builder.Build();
    }

    public int MaxAttempts { get; }

    /// <summary>Retries performed so far (for summaries and tests).</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Runs <paramref name="operation"/>, retrying retryable storage errors with backoff.</summary>
    public ValueTask<T> ExecuteAsync<T>(Func<CancellationToken, ValueTask<T>> operation, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(operation, cancellationToken);

    public ValueTask ExecuteAsync(Func<CancellationToken, ValueTask> operation, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(operation, cancellationToken);

    /// <summary>True for the one caller that may log now; the next may log <see cref="UnreachableLogInterval"/> later.</summary>
    private bool TakeUnreachableLogTurn()
    {
        var now = _time.GetTimestamp();
        var next = Interlocked.Read(ref _nextUnreachableLog);
        var interval = (long)(UnreachableLogInterval.TotalSeconds * _time.TimestampFrequency);
        return now >= next && Interlocked.CompareExchange(ref _nextUnreachableLog, now + interval, next) == next;
    }
}
