using Polly;
using Polly.Retry;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Retry;

/// <summary>
/// The one place storage operations are retried. Adapters classify errors into <see cref="StorageException"/>
/// and configure their SDKs not to retry, so attempts never stack.
/// </summary>
/// <remarks>Thread-safe; one instance serves every worker of a run.</remarks>
public sealed class RetryPolicy
{
    private readonly ResiliencePipeline _pipeline;
    private long _retries;

    public RetryPolicy(TimeProvider time, int maxAttempts, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null, Func<double>? random = null)
    {
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
                OnRetry = _ =>
                {
                    Interlocked.Increment(ref _retries);
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
}
