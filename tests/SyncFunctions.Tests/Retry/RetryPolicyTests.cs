using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Retry;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Retry;

/// <summary>Unreachable is retried like Transient, and said while the attempts go on (at most once per interval).</summary>
public sealed class RetryPolicyTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly ListLogger _log = new();

    [Fact]
    public async Task ExecuteAsync_UnreachableTwiceThenAnswers_RetriesAndSaysItOnceWithinTheInterval()
    {
        var policy = new RetryPolicy(_clock, 6, baseDelay: TimeSpan.Zero, log: _log);

        var result = await policy.ExecuteAsync(FailingFirst(2, StorageErrorKind.Unreachable), CancellationToken.None);

        Assert.Equal(3, result);
        Assert.Equal(2, policy.Retries);
        var entry = Assert.Single(_log.Entries);
        Assert.Equal((LogLevel.Warning, 1080), (entry.Level, entry.EventId));
        Assert.Equal("Attempt 1 of 6 failed, retrying in 0.0 s: read pair 'p' failed: cannot reach h:1 (connection refused)", entry.Message);
    }

    [Fact]
    public async Task ExecuteAsync_UnreachableAgainAfterTheInterval_IsSaidAgain()
    {
        var policy = new RetryPolicy(_clock, 6, baseDelay: TimeSpan.Zero, log: _log);

        await policy.ExecuteAsync(FailingFirst(1, StorageErrorKind.Unreachable), CancellationToken.None);
        _clock.Advance(RetryPolicy.UnreachableLogInterval);
        await policy.ExecuteAsync(FailingFirst(1, StorageErrorKind.Unreachable), CancellationToken.None);

        Assert.Equal(2, _log.Entries.Count);
    }

    [Fact]
    public async Task ExecuteAsync_TransientRetries_AreRetriedSilently()
    {
        var policy = new RetryPolicy(_clock, 6, baseDelay: TimeSpan.Zero, log: _log);

        var result = await policy.ExecuteAsync(FailingFirst(3, StorageErrorKind.Transient), CancellationToken.None);

        Assert.Equal(4, result);
        Assert.Empty(_log.Entries);
    }

    [Fact]
    public async Task ExecuteAsync_UnreachableEveryTime_GivesUpWithTheErrorAfterMaxAttempts()
    {
        var policy = new RetryPolicy(_clock, 3, baseDelay: TimeSpan.Zero, log: _log);

        var e = await Assert.ThrowsAsync<StorageException>(() => policy.ExecuteAsync(FailingFirst(10, StorageErrorKind.Unreachable), CancellationToken.None).AsTask());

        Assert.Equal(StorageErrorKind.Unreachable, e.Kind);
        Assert.Equal(2, policy.Retries);
    }

    [Fact]
    public async Task ExecuteAsync_EndpointThatAnsweredBeforeStaysAway_RetriedBeyondMaxAttemptsUntilTheTolerance()
    {
        var policy = new RetryPolicy(_clock, 3, baseDelay: TimeSpan.Zero, log: _log, outageTolerance: TimeSpan.FromSeconds(60));
        var calls = 0;

        // Each attempt takes 10 s of the fake clock; the first failure is at 10 s, so attempts run until 70 s.
        var e = await Assert.ThrowsAsync<StorageException>(() => policy.ExecuteAsync<int>(
            _ =>
            {
                calls++;
                _clock.Advance(TimeSpan.FromSeconds(10));
                throw WentAway();
            },
            CancellationToken.None).AsTask());

        Assert.Equal(StorageErrorKind.Unreachable, e.Kind);
        Assert.Equal(7, calls);
        Assert.Contains(_log.Entries, l => l.EventId == 1081 && l.Message.Contains("waiting for the endpoint to come back", StringComparison.Ordinal) && l.Message.Contains("up to 1 min", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExecuteAsync_EndpointComesBackWithinTheTolerance_Answers()
    {
        var policy = new RetryPolicy(_clock, 3, baseDelay: TimeSpan.Zero, log: _log, outageTolerance: TimeSpan.FromSeconds(60));
        var calls = 0;

        var result = await policy.ExecuteAsync(
            _ =>
            {
                _clock.Advance(TimeSpan.FromSeconds(2));
                return ++calls <= 10 ? throw WentAway() : ValueTask.FromResult(calls);
            },
            CancellationToken.None);

        Assert.Equal(11, result);
    }

    [Fact]
    public async Task ExecuteAsync_TransientOrNeverAnsweredEndpoint_OnlyMaxAttemptsWhateverTheTolerance()
    {
        var policy = new RetryPolicy(_clock, 3, baseDelay: TimeSpan.Zero, log: _log, outageTolerance: TimeSpan.FromMinutes(10));

        await Assert.ThrowsAsync<StorageException>(() => policy.ExecuteAsync(FailingFirst(10, StorageErrorKind.Unreachable), CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<StorageException>(() => policy.ExecuteAsync(FailingFirst(10, StorageErrorKind.Transient), CancellationToken.None).AsTask());

        Assert.Equal(4, policy.Retries);
    }

    private static StorageException WentAway() => new(
        StorageErrorKind.Unreachable,
        "read pair 'p' failed: cannot reach h:1 (connection refused)",
        new SyncFunctions.Abstractions.Network.EndpointUnreachableException("h:1", "connection refused", answeredBefore: true));

    /// <summary>An operation that throws <paramref name="kind"/> on its first <paramref name="failures"/> calls, then returns its call count.</summary>
    private static Func<CancellationToken, ValueTask<int>> FailingFirst(int failures, StorageErrorKind kind)
    {
        var calls = 0;
        return _ => ++calls <= failures
            ? throw new StorageException(kind, "read pair 'p' failed: cannot reach h:1 (connection refused)")
            : ValueTask.FromResult(calls);
    }
}
