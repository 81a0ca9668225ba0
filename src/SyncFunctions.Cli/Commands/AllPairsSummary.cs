using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Cli.Commands;

/// <summary>How one pair of <c>sync --all</c> ended.</summary>
/// <param name="Name">The pair's name.</param>
/// <param name="ExitCode">Its exit code, as <c>sync NAME</c> would have exited.</param>
/// <param name="Duration">From its start to its end in this process (zero when it never started).</param>
/// <param name="Summary">Its run's summary; null when it ended before a run existed.</param>
/// <param name="Error">The error it ended with, if any (secrets redacted).</param>
/// <param name="Started">False when it was never started (the command was interrupted first).</param>
internal sealed record PairRunResult(string Name, int ExitCode, TimeSpan Duration, RunSummary? Summary = null, string? Error = null, bool Started = true)
{
    public bool Succeeded => ExitCode == ExitCodes.Ok;

    /// <summary>The run's outcome, else what stopped the pair before a run existed.</summary>
    public string OutcomeText => Summary?.Outcome.ToString() ?? (Started ? "Error" : "NotStarted");
}

/// <summary>The end of <c>sync --all</c>: counts, total and average time, and the exit code (the worst of the pairs').</summary>
/// <param name="Pairs">Every pair's result, by name.</param>
/// <param name="Total">Pairs run (or meant to be).</param>
/// <param name="Success">Pairs that exited 0.</param>
/// <param name="Failed">The others.</param>
/// <param name="TotalDuration">Wall time of the whole command, pairs at once overlapping.</param>
/// <param name="AverageDuration">Mean time of the pairs that started.</param>
/// <param name="ExitCode">The worst of the pairs' exit codes (<see cref="ExitCodes.Worst"/>).</param>
internal sealed record AllPairsSummary(
    IReadOnlyList<PairRunResult> Pairs, int Total, int Success, int Failed, TimeSpan TotalDuration, TimeSpan AverageDuration, int ExitCode)
{
    public static AllPairsSummary Of(IReadOnlyList<PairRunResult> pairs, TimeSpan totalDuration)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var success = pairs.Count(p => p.Succeeded);
        var started = pairs.Where(p => p.Started).ToList();
        var average = started.Count == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(started.Sum(p => p.Duration.Ticks) / started.Count);
        return new AllPairsSummary(pairs, pairs.Count, success, pairs.Count - success, totalDuration, average, ExitCodes.Worst(pairs.Select(p => p.ExitCode)));
    }
}
