using System.Globalization;
using Spectre.Console;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Cli.Output;

/// <summary>People's output of <c>runs list</c> and <c>runs show</c>.</summary>
internal static class RunsPrinter
{
    public static void PrintList(IAnsiConsole console, IReadOnlyList<RunRecord> runs)
    {
        if (runs.Count == 0)
        {
            console.WriteLine("no runs");
            return;
        }

        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("Run").AddColumn("Pair").AddColumn("Status").AddColumn("Created (UTC)")
            .AddColumn("Owner").AddColumn("Total").AddColumn("OK").AddColumn("Failed");
        foreach (var run in runs)
        {
            table.AddRow(
                E(run.RunId), E(run.PairId[..Math.Min(12, run.PairId.Length)]), E(StatusText(run)),
                E(run.CreatedAt.ToUniversalTime().ToString("MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                E($"{run.OwnerHost}:{run.OwnerPid}"), N(run.TotalActions), N(run.SucceededActions), N(run.FailedActions));
        }

        console.Write(table);
    }

    public static void PrintDetails(IAnsiConsole console, RunDetails details)
    {
        var run = details.Run;
        var grid = new Grid().AddColumn().AddColumn();
        Row(grid, "Run", run.RunId);
        Row(grid, "Pair", run.PairId);
        if (details.Pair is { } pair)
        {
            Row(grid, "Source", pair.Source);
            Row(grid, "Destination", pair.Destination);
            Row(grid, "Pair's active run", pair.ActiveRunId ?? "-");
        }

        Row(grid, "Status", StatusText(run));
        Row(grid, "Trigger", run.Trigger);
        Row(grid, "Owner", $"{run.OwnerHost}:{run.OwnerPid} (started {Time(run.OwnerStarted)})");
        Row(grid, "Heartbeat", Time(run.Heartbeat));
        Row(grid, "Created", Time(run.CreatedAt));
        Row(grid, "Ended", run.EndedAt is { } ended ? Time(ended) : "-");
        Row(grid, "Observation", run.ObserveDone ? "done" : $"in progress (at '{run.ObserveContinuation ?? ""}')");
        Row(grid, "Work items", run.WorkItemCount.ToString(CultureInfo.InvariantCulture));
        var t = details.Tally;
        Row(grid, "Actions", FormattableString.Invariant(
            $"{t.Total:N0} total: {t.Done:N0} done, {t.Failed:N0} failed, {t.Skipped:N0} skipped, {t.Pending:N0} pending, {t.Claimed:N0} claimed"));
        Row(grid, "Bytes", $"{SizeParser.Format(t.BytesDone)} done of {SizeParser.Format(run.TotalBytes)}");
        if (run.HeldBackDeletes > 0 || run.DeletesHeldBack)
        {
            Row(grid, "Held-back deletes", run.HeldBackDeletes.ToString(CultureInfo.InvariantCulture));
        }

        if (!string.IsNullOrEmpty(run.Error))
        {
            Row(grid, "Error", Redaction.Redact(run.Error));
        }

        console.Write(grid);
        PrintProblems(console, details);
        PrintCarryOver(console, details.CarryOver);
    }

    private static void PrintProblems(IAnsiConsole console, RunDetails details)
    {
        if (details.Problems.Count == 0)
        {
            return;
        }

        console.WriteLine();
        console.WriteLine($"Failed and skipped actions ({details.Problems.Count + details.ProblemsOmitted}):");
        foreach (var action in details.Problems)
        {
            console.WriteLine($"  {action.Status} {action.Kind} {SummaryPrinter.Printable(action.Path)}: {Redaction.Redact(action.LastError ?? "(no reason recorded)")} (attempts {action.Attempts})");
        }

        if (details.ProblemsOmitted > 0)
        {
            console.WriteLine($"  ... and {details.ProblemsOmitted} more");
        }
    }

    private static void PrintCarryOver(IAnsiConsole console, IReadOnlyList<CarryOverEntry> carryOver)
    {
        console.WriteLine();
        console.WriteLine(carryOver.Count == 0 ? "Carry-over set: empty" : $"Carry-over set ({carryOver.Count}, re-planned by every later run):");
        foreach (var entry in carryOver)
        {
            console.WriteLine($"  {entry.Reason} {SummaryPrinter.Printable(entry.Path)}: {Redaction.Redact(entry.Message ?? "")} (since {Time(entry.Since)}, run {entry.RunId ?? "-"})");
        }
    }

    private static string StatusText(RunRecord run) =>
        run.Status == RunStatus.Running && run.CancelRequested ? "Running (cancel requested)" : run.Status.ToString();

    private static void Row(Grid grid, string name, string value) => grid.AddRow(E(name + ":"), E(value));

    private static string Time(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string E(string text) => Markup.Escape(text);
}
