using SyncFunctions.Abstractions;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Cli.Output;

namespace SyncFunctions.Cli.Commands;

/// <summary>
/// <c>syncfn sync --all [--parallel N]</c>: every named pair, at most N at once, each one run in this process exactly as
/// <c>sync NAME</c> runs it (its own run, its own connections), its lines prefixed <c>[NAME] </c>; then a summary.
/// </summary>
internal static class AllPairsRunner
{
    public static async Task<int> RunAsync(int atOnce, SyncOptionOverrides overrides, ConnectionChoice connections, CommandHost host, CancellationToken interrupt)
    {
        var began = host.Time.GetTimestamp();
        var catalog = await PairCatalogAccess.OpenAsync(connections, needStorage: false, host, interrupt).ConfigureAwait(false);
        var definitions = new List<PairDefinition>();
        await foreach (var definition in catalog.Ledger.ListDefinitionsAsync(interrupt).ConfigureAwait(false))
        {
            definitions.Add(definition);
        }

        if (definitions.Count == 0)
        {
            host.Error.WriteLine($"syncfn: there are no named pairs; {NamedPairRunner.ListHint}");
        }

        var accounts = await catalog.AccountsForAsync(definitions, connections, host, interrupt).ConfigureAwait(false);
        var results = await Bounded.RunAsync(definitions, atOnce, d => RunPairAsync(d, overrides, accounts, connections, host, interrupt)).ConfigureAwait(false);
        var summary = AllPairsSummary.Of(results, host.Time.GetElapsedTime(began));
        if (host.Json)
        {
            host.WriteJson(JsonOutput.Of(JsonView(summary), summary.ExitCode));
        }
        else
        {
            AllPairsPrinter.Print(host.Stdout, summary);
        }

        return summary.ExitCode;
    }

    private static async Task<PairRunResult> RunPairAsync(
        PairDefinition definition, SyncOptionOverrides overrides, ResolvedAccounts accounts, ConnectionChoice connections, CommandHost parent, CancellationToken interrupt)
    {
        if (interrupt.IsCancellationRequested)
        {
            return new PairRunResult(definition.Name, ExitCodes.ForSignal(parent.Signals.Signal), TimeSpan.Zero, Error: "not started: interrupted", Started: false);
        }

        var prefix = $"[{definition.Name}] ";

        // With --json the pairs' own summaries go into the one JSON document, not onto stdout.
        using var stdout = parent.Json ? TextWriter.Null : new PrefixedLineWriter(parent.Out, prefix);
        using var stderr = new PrefixedLineWriter(parent.Error, prefix);
        var child = CommandHost.ForPair(parent, stdout, stderr);
        var began = parent.Time.GetTimestamp();
        var exitCode = await child.InvokeAsync((host, token) => NamedPairRunner.RunDefinitionAsync(definition, overrides, accounts, connections, host, token), interrupt)
            .ConfigureAwait(false);
        return new PairRunResult(definition.Name, exitCode, parent.Time.GetElapsedTime(began), child.LastSummary, child.LastError);
    }

    private static object JsonView(AllPairsSummary s) => new
    {
        pairs = s.Pairs.Select(p => new { name = p.Name, exitCode = p.ExitCode, outcome = p.OutcomeText, runId = p.Summary?.RunId, duration = p.Duration, error = p.Error, summary = p.Summary }),
        total = s.Total,
        success = s.Success,
        failed = s.Failed,
        totalDuration = s.TotalDuration,
        averageDuration = s.AverageDuration,
    };
}
