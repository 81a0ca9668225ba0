using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Cli.Output;
using SyncFunctions.Core.Snapshots.Maintenance;

namespace SyncFunctions.Cli.Commands;

/// <summary>
/// <c>syncfn forget REPO --keep-…  [--dry-run]</c> (removes snapshot records by a retention policy) and
/// <c>syncfn gc REPO [--dry-run]</c> (two-phase garbage collection of what no snapshot references). Both plan first
/// and print the plan; a dry run prints the same plan and changes nothing.
/// </summary>
internal static class ForgetGcCommands
{
    public static Command Forget(StopSignals signals)
    {
        var repository = new Argument<string>("repository") { Description = SnapshotsCommand.RepositoryHelp };
        var retention = new RetentionOptions();
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan; remove nothing." };
        var (storage, json, verbose) = (CommonOptions.Storage(), CommonOptions.Json(), CommonOptions.Verbose());
        var command = new Command(
            "forget",
            "Remove the snapshots of REPO that no --keep-* rule keeps (the rules add up; days, weeks and months are local time). A pair's latest " +
            "snapshot is always kept. Only the snapshot records go: 'syncfn gc' then reclaims the packs and trees no snapshot uses.")
        {
            repository,
        };
        retention.AddTo(command);

        command.Options.Add(dryRun);
        command.Options.Add(storage);
        command.Options.Add(json);
        command.Options.Add(verbose);
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            var policy = retention.Read(r)
                ?? throw new UsageException($"a retention policy names at least one rule (give at least one of {RetentionOptions.Names})");

            var repo = await RepositoryAccess.OpenAsync(host, r.GetValue(repository)!, r.GetValue(storage), interrupt).ConfigureAwait(false);
            var forgetter = new SnapshotForgetter(repo.Repository, host.Time);
            var plan = await RepositoryAccess.Guard(() => forgetter.PlanAsync(policy, null, interrupt)).ConfigureAwait(false);
            var dry = r.GetValue(dryRun);
            ForgetResult? done = dry ? null : await RepositoryAccess.Guard(() => forgetter.ApplyAsync(plan, interrupt)).ConfigureAwait(false);
            var keep = plan.Keep.Select(k => new { id = k.Snapshot.Id.ToString(), time = k.Snapshot.Record.Time, pairId = k.Snapshot.Record.Pair.Id, reasons = k.Reasons.ToString() }).ToList();
            var remove = plan.Remove.Select(s => new { id = s.Id.ToString(), time = s.Record.Time, pairId = s.Record.Pair.Id }).ToList();
            if (host.Json)
            {
                host.WriteJson(JsonOutput.Of(new { repository = repo.Text, dryRun = dry, keep, remove, removed = done?.Deleted ?? 0, keptAsHeads = done?.KeptAsHeads ?? 0, keptInFlight = done?.KeptInFlight ?? 0 }, ExitCodes.Ok));
                return ExitCodes.Ok;
            }

            foreach (var k in keep)
            {
                host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"keep    {k.id[..12]}  {k.time.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {k.pairId}  ({k.reasons})"));
            }

            foreach (var s in remove)
            {
                host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"remove  {s.id[..12]}  {s.time.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {s.pairId}"));
            }

            host.Out.WriteLine(dry
                ? $"forget (dry run): would remove {remove.Count} snapshots, keep {keep.Count}"
                : $"forget: removed {done!.Deleted} snapshots, kept {keep.Count}{(done.KeptAsHeads > 0 ? $" and {done.KeptAsHeads} that became a pair's latest meanwhile" : "")}{(done.KeptInFlight > 0 ? $" and {done.KeptInFlight} a run may be making its pair's latest (newer than it)" : "")}; run 'syncfn gc' to reclaim their space");
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command Gc(StopSignals signals)
    {
        var repository = new Argument<string>("repository") { Description = SnapshotsCommand.RepositoryHelp };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan; mark and delete nothing." };
        var minAge = new Option<string?>("--min-age")
        {
            Description = "How old an unreferenced pack, index or tree must be before it is marked (default 1d; with the 10 min clock-skew margin, also how long a mark waits before its objects go).",
            HelpName = "DURATION",
        };
        var max = new Option<int?>("--max") { Description = "Delete at most N objects in this run (an index and its packs count as one).", HelpName = "N" };
        var (storage, json, verbose) = (CommonOptions.Storage(), CommonOptions.Json(), CommonOptions.Verbose());
        var command = new Command(
            "gc",
            "Garbage-collect REPO in two phases: objects no snapshot references, older than --min-age, are marked; one that stayed unreferenced " +
            "through two marks, the older one past --min-age, is deleted. A snapshot being written never loses a chunk (writers do not reuse marked packs).")
        {
            repository, dryRun, minAge, max, storage, json, verbose,
        };
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            var age = GcSafety.Default.MinimumAge;
            if (r.GetValue(minAge) is { } text)
            {
                age = DurationParser.Parse(text, "--min-age", out var error) ?? throw new UsageException(error!);
            }

            var safety = GcSafety.Default with { MinimumAge = age };
            if (safety.Problem() is { } problem)
            {
                throw new UsageException(problem);
            }

            if (r.GetValue(max) is < 1)
            {
                throw new UsageException("--max takes a positive number of objects");
            }

            var repo = await RepositoryAccess.OpenAsync(host, r.GetValue(repository)!, r.GetValue(storage), interrupt).ConfigureAwait(false);
            var report = await RepositoryAccess.Guard(() => new GarbageCollector(repo.Repository, host.Time, safety).RunAsync(r.GetValue(dryRun), r.GetValue(max), new DeleteLogger(host.Logger), interrupt)).ConfigureAwait(false);
            if (host.Json)
            {
                host.WriteJson(JsonOutput.Of(new { repository = repo.Text, report }, ExitCodes.Ok));
                return ExitCodes.Ok;
            }

            string Counts(GcCounts c) => string.Create(
                CultureInfo.InvariantCulture,
                $"{c.Packs} packs ({SizeParser.Format(c.PackBytes)}), {c.Indexes} indexes ({SizeParser.Format(c.IndexBytes)}), {c.Trees} trees ({SizeParser.Format(c.TreeBytes)})");
            var verb = report.DryRun ? "would delete" : "deleted";
            host.Out.WriteLine($"gc{(report.DryRun ? " (dry run)" : "")}: {report.Snapshots} snapshots; scanned {Counts(report.Scanned)}");
            host.Out.WriteLine($"  {verb} {Counts(report.Deleted)}");
            host.Out.WriteLine($"  {(report.DryRun ? "would mark" : "marked")} {Counts(report.Marked)} (deleted by a later gc once the mark is older than {safety.Grace}: --min-age plus the clock-skew margin)");
            host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {report.UnreferencedTooYoung} unreferenced objects too young to mark; {report.Changed} kept because a writer stored them again; {report.MarksDeleted} old marks removed; {report.HeldForCompaction} sparse packs kept marked for 'syncfn compact'"));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Logs each object GC deleted (visible with --verbose).</summary>
    private sealed class DeleteLogger(ILogger log) : IProgress<GcObject>
    {
        public void Report(GcObject value) =>
            log.LogInformation("gc: deleted {Path} ({Bytes})", value.Path, SizeParser.Format(value.Size));
    }
}
