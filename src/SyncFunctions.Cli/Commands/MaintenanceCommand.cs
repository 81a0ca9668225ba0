using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Cli.Output;
using SyncFunctions.Core.Maintenance;
using SyncFunctions.Core.Retry;
using SyncFunctions.Orchestration.Hosting;

namespace SyncFunctions.Cli.Commands;

/// <summary><c>syncfn maintenance [--dry-run] [--retention DAYS] [--json]</c>: removes what ended and abandoned runs left in the ledger.</summary>
internal static class MaintenanceCommand
{
    /// <summary>Entries of each kind printed (the counts are complete).</summary>
    private const int MaxListed = 50;

    public static Command Create(StopSignals signals)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what would be removed; remove nothing." };
        var retention = new Option<int>("--retention")
        {
            Description = "Days after which an ended run's rows (run, work items, actions, staging) are removed, and after which a run without a coordinator counts as abandoned (1..36500).",
            DefaultValueFactory = _ => 30,
            HelpName = "DAYS",
        };
        var leftoverAge = new Option<string>("--leftover-age")
        {
            Description = "Leave the uncommitted blocks and partial files of runs that ended less than this ago (the next run resumes from them); default 1h.",
            DefaultValueFactory = _ => "1h",
            HelpName = "DURATION",
        };
        var (storage, ledger, json, verbose) = (CommonOptions.Storage(), CommonOptions.Ledger(), CommonOptions.Json(), CommonOptions.Verbose());
        var networkTimeout = CommonOptions.NetworkTimeout();
        var command = new Command(
            "maintenance",
            "Remove what runs left in the ledger: rows of runs ended more than --retention days ago, staging tables no running run owns, " +
            "coordinator leases that ended over an hour ago (the run is taken over at its next start), and runs abandoned for longer than the retention (ended as Cancelled); " +
            "at the destinations of pairs with no active run, the uncommitted blocks of never-committed blobs and the partial files that ended or abandoned runs left. " +
            "Live runs and committed content are never changed.")
        {
            dryRun, retention, leftoverAge, storage, ledger, networkTimeout, json, verbose,
        };
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            var days = r.GetValue(retention);
            if (days is < 1 or > 36_500)
            {
                throw new UsageException($"--retention must be between 1 and 36500 days (got {days})");
            }

            var age = DurationParser.Parse(r.GetValue(leftoverAge)!, "--leftover-age", out var ageError) ?? throw new UsageException(ageError!);
            host.UseNetworkTimeout(NetworkTimeouts.From(r.GetValue(networkTimeout)));
            var choice = ConnectionChoice.From(r.GetValue(storage), r.GetValue(ledger)).Validate();

            // Blob destinations are opened on the given storage account, or on the embedded Azurite when it holds the ledger too.
            var accounts = await ResolvedAccounts.ResolveAsync(choice, needStorage: choice.Storage is not null || choice.Ledger is null, host, interrupt).ConfigureAwait(false);
            host.Azure.UseStorage(accounts.Storage, accounts.StorageIsEmbedded);
            var policy = RetryDecorators.PolicyFor(host.Time, log: host.LoggerFactory.CreateLogger("SyncFunctions.Retry"));
            var store = RetryDecorators.Ledger(host.Azure.CreateLedger(accounts.Ledger), policy);
            await store.InitializeAsync(interrupt).ConfigureAwait(false);
            var service = new MaintenanceService(store, host.Time, host.LoggerFactory.CreateLogger("SyncFunctions.Maintenance"))
            {
                Destinations = new RegistryPairDestinations(store, host.Endpoints, policy),
            };
            var report = await service.RunAsync(new MaintenanceOptions { DryRun = r.GetValue(dryRun), Retention = TimeSpan.FromDays(days), LeftoverAge = age, MaxListed = MaxListed }, interrupt).ConfigureAwait(false);
            if (host.Json)
            {
                host.WriteJson(JsonOutput.Of(report, ExitCodes.Ok));
            }
            else
            {
                Print(Console.Out, report);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void Print(TextWriter output, MaintenanceReport report)
    {
        var c = report.Counts;
        var verb = report.DryRun ? "would remove" : "removed";
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"maintenance{(report.DryRun ? " (dry run)" : "")}: {verb} {c.Runs} runs ended over {report.RetentionDays:0.#} days ago ({c.WorkItems} work items, {c.Actions} actions), {c.StagingAreas} staging tables, {c.ExpiredPlans} expired plans; " +
            $"{(report.DryRun ? "would release" : "released")} {c.ReleasedLeases} stale leases; {(report.DryRun ? "would end" : "ended")} {c.AbandonedRuns} abandoned runs"));
        foreach (var run in report.Runs)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {run.RunId} (pair {run.PairId}, {run.Status}, ended {run.EndedAt:yyyy-MM-dd HH:mm}): {run.WorkItems} work items, {run.Actions} actions"));
        }

        foreach (var area in report.StagingAreas)
        {
            output.WriteLine($"  staging table {area}");
        }

        foreach (var stale in report.StaleRuns)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {stale.RunId} (pair {stale.PairId}): {(stale.Abandoned ? "abandoned" : "stale lease")}, no coordinator since {stale.LeaseEnded:yyyy-MM-dd HH:mm}"));
        }

        output.WriteLine(report.DestinationsNotChecked is { } why
            ? $"destinations: not checked ({why})"
            : string.Create(
                CultureInfo.InvariantCulture,
                $"destinations: {Totals("uncommitted blocks", c.UncommittedBlocks, verb)}; {Totals("partial files", c.PartialFiles, verb)}"));
        foreach (var leftover in report.DestinationLeftovers)
        {
            var what = leftover.Kind == LeftoverKind.UncommittedBlocks ? $"{leftover.Count} uncommitted blocks" : "partial file";
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  {leftover.Path} (pair {leftover.PairId}, run {leftover.RunId}): {what}, {Bytes(leftover.Bytes)}: {leftover.Kept ?? verb}"));
        }

        foreach (var skipped in report.Skipped)
        {
            output.WriteLine($"  kept: {skipped}");
        }
    }

    private static string Totals(string kind, LeftoverTotals t, string verb) => string.Create(
        CultureInfo.InvariantCulture,
        $"{t.Found} {kind} found ({Bytes(t.FoundBytes)}), {verb} {t.Removed} ({Bytes(t.RemovedBytes)}), left {t.Left} ({Bytes(t.LeftBytes)})");

    private static string Bytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");
}
