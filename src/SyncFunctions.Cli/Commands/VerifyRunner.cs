using Spectre.Console;
using SyncFunctions.Cli.Output;
using SyncFunctions.Core.Verify;

namespace SyncFunctions.Cli.Commands;

/// <summary>Prints a <see cref="VerifyReport"/> for people.</summary>
internal static class VerifyRunner
{
    public static void Print(IAnsiConsole console, VerifyReport report, bool terminal)
    {
        console.WriteLine(FormattableString.Invariant(
            $"compared {report.Compared:N0} paths on both sides ({report.Hashed:N0} content reads): {(report.IsClean ? "no differences" : $"{report.Differences.Count:N0} differences")}"));
        var shown = terminal ? report.Differences.Take(SummaryPrinter.TerminalProblemLimit) : report.Differences;
        foreach (var difference in shown)
        {
            console.WriteLine($"  {difference.Kind} {SummaryPrinter.Printable(difference.Path)}: {Redaction.Redact(difference.Detail)}");
        }

        if (terminal && report.Differences.Count > SummaryPrinter.TerminalProblemLimit)
        {
            console.WriteLine($"  ... and {report.Differences.Count - SummaryPrinter.TerminalProblemLimit} more (--json lists them all)");
        }
    }
}
