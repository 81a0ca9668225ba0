using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Protocol;

/// <summary>Options of one sync run; validated by <see cref="Validate"/> before any storage is touched.</summary>
public sealed record SyncOptions
{
    public const int MinParallel = 1;
    public const int MaxParallel = 100;
    public const long DefaultChunkSize = 4L * 1024 * 1024;

    /// <summary>The smallest chunk size a run accepts: a file up to this size is always written in one request.</summary>
    public const long MinChunkSize = 64 * 1024;

    /// <summary>Worker count (1..100).</summary>
    public int Parallel { get; init; } = 16;

    /// <summary>Chunk size for staged blocks; files larger than this move as chunked transfers.</summary>
    public long ChunkSize { get; init; } = DefaultChunkSize;

    /// <summary>Plan and report, change nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Overwrite destination objects changed by someone else.</summary>
    public bool Force { get; init; }

    /// <summary>Upper bound for deletes in one run; null: no bound.</summary>
    public MaxDeleteLimit? MaxDelete { get; init; }

    /// <summary>
    /// A run that applies a previewed plan: the fingerprint (<see cref="Planning.PlanFingerprint"/>) its plan must have.
    /// Nothing of the run executes before its plan is complete and compared; a different plan cancels the run.
    /// </summary>
    public string? ExpectedPlan { get; init; }

    /// <summary>What started the run (cli, timer, http, webhook).</summary>
    public string Trigger { get; init; } = "cli";

    /// <summary>How often the in-process driver renews its coordinator lease (and sees <c>runs cancel</c>).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Returns null when valid, else the invalid option and the problem (the host names its own flag).</summary>
    public OptionProblem? Validate(long maxChunkSize = 4000L * 1024 * 1024)
    {
        if (Parallel is < MinParallel or > MaxParallel)
        {
            return new OptionProblem(nameof(Parallel), $"must be between {MinParallel} and {MaxParallel} (got {Parallel})");
        }

        if (ChunkSize < MinChunkSize || ChunkSize > maxChunkSize)
        {
            return new OptionProblem(nameof(ChunkSize), $"must be between 64KiB and {maxChunkSize / (1024 * 1024)}MiB (got {ChunkSize} bytes)");
        }

        return null;
    }
}

/// <summary>An invalid option: which (<see cref="SyncOptions"/> property name) and what is wrong with it.</summary>
public sealed record OptionProblem(string Option, string Problem)
{
    public override string ToString() => $"{Option} {Problem}";
}

/// <summary>The delete guard's limit: an absolute count or a percentage of the baseline.</summary>
public sealed record MaxDeleteLimit(long? Count, double? Percent)
{
    /// <summary>Parses "N" or "P%"; returns null and a message on bad input.</summary>
    public static MaxDeleteLimit? Parse(string text, out string? error)
    {
        error = null;
        var t = text.Trim();
        if (t.EndsWith('%'))
        {
            if (double.TryParse(t[..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 100)
            {
                return new MaxDeleteLimit(null, p);
            }
        }
        else if (long.TryParse(t, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
        {
            return new MaxDeleteLimit(n, null);
        }

        error = $"takes a count or a percentage such as 50 or 10% (got '{text}')";
        return null;
    }

    /// <summary>True when <paramref name="deletes"/> out of <paramref name="baselineCount"/> stays within the limit.</summary>
    public bool Allows(long deletes, long baselineCount) =>
        Count is { } c ? deletes <= c : deletes <= Math.Floor((Percent ?? 100) / 100.0 * baselineCount);

    public override string ToString() => Count is { } c ? c.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Percent}%";
}
