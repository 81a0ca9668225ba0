namespace SyncFunctions.Cli.Hosting;

/// <summary>
/// The undocumented <c>$SYNCFN_CLOCK_OFFSET</c>: this process's clock runs that far ahead of the system's. Crash tests
/// of GC and compaction use it to be days past their minimum age without waiting days; nobody else needs it, so it has
/// no option. Never set it on a host that shares a repository with writers: it ages their snapshots in flight.
/// </summary>
internal static class ClockOffsetOverride
{
    public const string EnvironmentVariable = "SYNCFN_CLOCK_OFFSET";

    /// <summary>
    /// The system clock moved ahead by the offset from <paramref name="getVariable"/> (the process environment when
    /// null); the system clock when the variable is not set, or with <paramref name="problem"/> saying why the value is bad.
    /// </summary>
    public static TimeProvider From(out string? problem, Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        problem = null;
        if (getVariable(EnvironmentVariable) is not { } text || string.IsNullOrWhiteSpace(text))
        {
            return TimeProvider.System;
        }

        var offset = DurationParser.Parse(text, "$" + EnvironmentVariable, out problem);
        return offset is { } ahead ? new Ahead(ahead) : TimeProvider.System;
    }

    private sealed class Ahead(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }
}
