using System.Globalization;
using Spectre.Console;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Cli.Output;

/// <summary>Named pairs for people: the list as a table, one pair as name / value rows.</summary>
internal static class PairsPrinter
{
    public static void PrintList(IAnsiConsole console, IReadOnlyList<PairView> pairs)
    {
        if (pairs.Count == 0)
        {
            console.MarkupLine(Markup.Escape("no named pairs; 'syncfn pairs add NAME SOURCE DESTINATION' adds one"));
            return;
        }

        // Long endpoints wrap; names, schedules and options stay whole.
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("Name").NoWrap()).AddColumn("Source").AddColumn("Destination")
            .AddColumn(new TableColumn("Schedule").NoWrap()).AddColumn(new TableColumn("Options").NoWrap());
        foreach (var pair in pairs)
        {
            table.AddRow(
                Markup.Escape(pair.Name), Markup.Escape(pair.Source), Markup.Escape(pair.Destination),
                Markup.Escape(pair.Schedule ?? "-") + (pair.Subscribe ? " (subscribed)" : ""), Markup.Escape(Describe(pair.Options)));
        }

        console.Write(table);
    }

    public static void PrintDetails(IAnsiConsole console, PairView pair)
    {
        var grid = new Grid().AddColumn().AddColumn();
        foreach (var (name, value) in Rows(pair))
        {
            grid.AddRow(Markup.Escape(name), Markup.Escape(value));
        }

        console.Write(grid);
    }

    /// <summary>"parallel 16, chunk size 4 MiB, max-delete 10%, force" (the run options in the command line's words).</summary>
    public static string Describe(PairOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var parts = new List<string>();
        if (options.Parallel is { } parallel)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"parallel {parallel}"));
        }

        if (options.ChunkSize is { } chunk)
        {
            parts.Add($"chunk size {SizeParser.Format(chunk)}");
        }

        if (options.MaxDelete is { } limit)
        {
            parts.Add($"max-delete {limit}");
        }

        if (options.Force is true)
        {
            parts.Add("force");
        }

        return parts.Count == 0 ? "-" : string.Join(", ", parts);
    }

    private static IEnumerable<(string Name, string Value)> Rows(PairView pair)
    {
        yield return ("Name", pair.Name);
        yield return ("Pair id", pair.PairId);
        yield return ("Source", pair.Source);
        yield return ("Destination", pair.Destination);
        yield return ("Schedule", pair.Schedule ?? "none");
        yield return ("Subscribe", pair.Subscribe ? "yes" : "no");
        yield return ("Options", Describe(pair.Options));
        yield return ("Created", pair.CreatedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "-");
        yield return ("Active run", pair.ActiveRunId ?? "none");
    }
}
