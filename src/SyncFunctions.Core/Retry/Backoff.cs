namespace SyncFunctions.Core.Retry;

/// <summary>Exponential backoff with full jitter, as a pure function.</summary>
public static class Backoff
{
    /// <summary>
    /// Delay before retry number <paramref name="attempt"/> (0-based): uniform in [0, min(cap, base * 2^attempt)].
    /// A server's Retry-After wins when present (never less than it asked for).
    /// </summary>
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan cap, double random01, TimeSpan? retryAfter)
    {
        if (retryAfter is { } ra && ra > TimeSpan.Zero)
        {
            return ra > cap ? cap : ra;
        }

        var exponent = Math.Min(attempt, 30);
        var ceiling = Math.Min(cap.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(ceiling * Math.Clamp(random01, 0, 1));
    }
}
