using System.Globalization;
using Spectre.Console;
using SyncFunctions.Cli.Commands;

namespace SyncFunctions.Cli.Output;

/// <summary>The end of <c>sync --all</c> for people: one row per pair, then Total | Success | Failed with total and average time.</summary>
internal static class AllPairsPrinter
{
    public static void Print(IAnsiConsole console, AllPairsSummary summary)
    {
        if (summary.Pairs.Count > 0)
        {
            var pairs = new Table().Border(TableBorder.Rounded).AddColumn("Pair").AddColumn("Outcome").AddColumn("Exit").AddColumn("Duration").AddColumn("Run");
            foreach (var pair in summary.Pairs)
            {
                pairs.AddRow(
                    Markup.Escape(pair.Name), Markup.Escape(pair.OutcomeText), pair.ExitCode.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(SummaryPrinter.FormatDuration(pair.Duration)), Markup.Escape(pair.Summary?.RunId ?? "-"));
            }

            console.Write(pairs);
        }

        var totals = new Table().Border(TableBorder.Rounded)
            .AddColumn("Total").AddColumn("Success").AddColumn("Failed").AddColumn("Total time").AddColumn("Average time");
        totals.AddRow(
            N(summary.Total), N(summary.Success), N(summary.Failed),
            Markup.Escape(SummaryPrinter.FormatDuration(summary.TotalDuration)), Markup.Escape(SummaryPrinter.FormatDuration(summary.AverageDuration)));
        console.Write(totals);
        console.MarkupLine(Markup.Escape($"sync --all: {summary.Success} of {summary.Total} pairs succeeded (exit code {summary.ExitCode})"));
    }

    private static string N(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
