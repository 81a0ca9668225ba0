using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Protocol;

/// <summary>Options of one sync run; validated by <see cref="Validate"/> before any storage is touched.</summary>
public sealed record SyncOptions
{
    public const int MinParallel = 1;
    public const int MaxParallel = 100;
    public const long DefaultChunkSize = 4L * 1024 * 1024;

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

    /// <summary>What started the run (cli, timer, http, webhook).</summary>
    public string Trigger { get; init; } = "cli";

    /// <summary>Lease of a claimed work item; renewed while the worker holds it.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A run whose owner's heartbeat is older than this is taken over.</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the owner writes its heartbeat.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per storage operation before an item is recorded as Failed.</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>Returns null when valid, else a message naming the option.</summary>
    public string? Validate(long maxChunkSize = 4000L * 1024 * 1024)
    {
        if (Parallel is < MinParallel or > MaxParallel)
        {
            return $"--parallel must be between {MinParallel} and {MaxParallel} (got {Parallel})";
        }

        if (ChunkSize < 64 * 1024 || ChunkSize > maxChunkSize)
        {
            return $"--chunk-size must be between 64KiB and {maxChunkSize / (1024 * 1024)}MiB (got {ChunkSize} bytes)";
        }

        return null;
    }
}

/// <summary>--max-delete: an absolute count or a percentage of the baseline.</summary>
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

        error = $"--max-delete takes a count or a percentage such as 50 or 10% (got '{text}')";
        return null;
    }

    /// <summary>True when <paramref name="deletes"/> out of <paramref name="baselineCount"/> stays within the limit.</summary>
    public bool Allows(long deletes, long baselineCount) =>
        Count is { } c ? deletes <= c : deletes <= Math.Floor((Percent ?? 100) / 100.0 * baselineCount);

    public override string ToString() => Count is { } c ? c.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Percent}%";
}
