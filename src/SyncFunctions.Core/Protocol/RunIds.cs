using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SyncFunctions.Core.Protocol;

/// <summary>
/// Run ids: the start time (UTC, to the second) and eight hex digits, so ids sort by start and say when they began.
/// A follow-up run (the pair was marked dirty during a run) gets an id derived from the run before it, so a repeated
/// start of that follow-up finds it instead of starting another.
/// </summary>
public static class RunIds
{
    private const string TimeFormat = "yyyyMMdd'T'HHmmss";

    /// <summary>A new run id for a run started at <paramref name="now"/>.</summary>
    public static string New(DateTimeOffset now) => Stamp(now) + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The id of the run that follows <paramref name="previousRunId"/>, stamped with <paramref name="at"/> (the previous run's end).</summary>
    public static string FollowUp(string previousRunId, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(previousRunId);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("next:" + previousRunId));
        return Stamp(at) + "-" + Convert.ToHexStringLower(hash, 0, 4);
    }

    /// <summary>When a run with this id started, or null for an id not made here.</summary>
    public static DateTimeOffset? TimeOf(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return runId.Length >= 15
            && DateTimeOffset.TryParseExact(runId.AsSpan(0, 15), TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : null;
    }

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);
}
