using System.Globalization;
using Spectre.Console;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Cli.Output;

/// <summary>Prints the end-of-run summary for people: counts, bytes, duration, and the problem paths.</summary>
internal static class SummaryPrinter
{
    /// <summary>On a terminal only the first problems are listed; a log keeps them all.</summary>
    public const int TerminalProblemLimit = 50;

    public static void Print(IAnsiConsole console, RunSummary summary, int exitCode, bool terminal)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Total").AddColumn("Succeeded").AddColumn("Failed").AddColumn("Skipped")
            .AddColumn("Transferred").AddColumn("Bytes").AddColumn("Duration");
        table.AddRow(
            N(summary.Total), N(summary.Succeeded), N(summary.Failed), N(summary.Skipped),
            N(summary.TransferredByThisProcess), Markup.Escape(SizeParser.Format(summary.BytesTransferred)),
            Markup.Escape(FormatDuration(summary.Duration)));
        console.Write(table);

        var runText = summary.RunId is null ? "" : $"run {summary.RunId}: ";
        console.MarkupLine(Markup.Escape($"{runText}{summary.Outcome}{(summary.DryRun ? " (dry run)" : "")} (exit code {exitCode})"));
        if (summary.ReusedChunks > 0 || summary.ResumedBytes > 0)
        {
            console.MarkupLine(Markup.Escape($"resumed from checkpoints: {summary.ReusedChunks} chunks, {SizeParser.Format(summary.ResumedBytes)} not sent again"));
        }

        if (summary.UnchangedBytes > 0)
        {
            console.MarkupLine(Markup.Escape($"block-level delta: {SizeParser.Format(summary.UnchangedBytes)} of changed files unchanged, not sent"));
        }

        if (summary.HeldBackDeletes > 0)
        {
            console.MarkupLine(Markup.Escape($"{summary.HeldBackDeletes} deletes held back by --max-delete; they are carried over to the next run"));
        }

        if (!string.IsNullOrEmpty(summary.Message))
        {
            console.MarkupLine(Markup.Escape(Redaction.Redact(summary.Message)));
        }

        PrintPlan(console, summary, terminal);
        PrintProblems(console, "Failed", summary.Failures, terminal);
        PrintProblems(console, "Skipped", summary.SkippedItems, terminal);
    }

    /// <summary>A dry run's plan: what a real run would do, one line per change.</summary>
    private static void PrintPlan(IAnsiConsole console, RunSummary summary, bool terminal)
    {
        if (summary.Plan is { } plan)
        {
            console.MarkupLine(Markup.Escape(PlanLine(plan)));
        }

        if (!summary.DryRun || summary.Planned.Count == 0)
        {
            return;
        }

        console.MarkupLine(Markup.Escape($"Would do ({summary.Planned.Count}):"));
        foreach (var change in terminal ? summary.Planned.Take(TerminalProblemLimit) : summary.Planned)
        {
            console.MarkupLine(Markup.Escape($"  {change.Kind} {Printable(change.Path)} ({SizeParser.Format(change.Size)}): {change.Reason}"));
        }

        if (terminal && summary.Planned.Count > TerminalProblemLimit)
        {
            console.MarkupLine(Markup.Escape($"  ... and {summary.Planned.Count - TerminalProblemLimit} more (--json lists them all)"));
        }
    }

    /// <summary>The plan in one line, as <c>POST /api/pairs/{name}/plan</c> counts it.</summary>
    public static string PlanLine(Core.Planning.PlanPreview plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"plan {plan.Fingerprint}: {plan.Actions:N0} actions: {plan.Uploads:N0} uploads ({SizeParser.Format(plan.Bytes)}), {plan.Deletes:N0} deletes{(plan.DeletesHeldBack ? " (held back)" : "")}, {plan.Moves:N0} moves, {plan.BaselineUpdates:N0} record updates, {plan.Skipped:N0} skipped");
    }

    private static void PrintProblems(IAnsiConsole console, string title, IReadOnlyList<PathProblem> problems, bool terminal)
    {
        if (problems.Count == 0)
        {
            return;
        }

        console.MarkupLine(Markup.Escape($"{title} ({problems.Count}):"));
        var shown = terminal ? problems.Take(TerminalProblemLimit) : problems;
        foreach (var problem in shown)
        {
            console.MarkupLine(Markup.Escape($"  {Printable(problem.Path)}: {Redaction.Redact(problem.Reason)}"));
        }

        if (terminal && problems.Count > TerminalProblemLimit)
        {
            console.MarkupLine(Markup.Escape($"  ... and {problems.Count - TerminalProblemLimit} more (syncfn runs show RUN_ID, or --json)"));
        }
    }

    /// <summary>Control characters in a path would garble the terminal: show them as \uXXXX.</summary>
    public static string Printable(string path)
    {
        if (!path.Any(char.IsControl))
        {
            return path;
        }

        return string.Concat(path.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()));
    }

    public static string FormatDuration(TimeSpan duration) =>
        duration.TotalHours >= 1
            ? duration.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
            : duration.TotalMinutes >= 1
                ? duration.ToString(@"m\:ss", CultureInfo.InvariantCulture)
                : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.0}s");

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
