using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Cli.Output;
using SyncFunctions.Core.Snapshots.Maintenance;

namespace SyncFunctions.Cli.Commands;

/// <summary>
/// <c>syncfn compact REPO [--dry-run] [--threshold PCT] [--max N] [--min-age D] [--keep-…]</c>: forgets by the
/// retention policy when one is given, repacks sparse packs and merges indexes into one new index (leaving the old ones
/// to <c>syncfn gc</c>), and merges each pair's snapshot records into a record set. Plans first and prints the plan; a
/// dry run prints the same plan and writes nothing.
/// </summary>
internal static class CompactCommand
{
    /// <summary>Parses <c>--threshold</c>: a percentage (<c>80%</c> or <c>80</c>) above 0 and at most 100, as a fraction.</summary>
    internal static double ParseThreshold(string text)
    {
        var number = text.EndsWith('%') ? text[..^1] : text;
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) && percent is > 0 and <= 100
            ? percent / 100
            : throw new UsageException($"--threshold takes the live percentage below which a pack is repacked, above 0 and at most 100, such as 80% (got '{text}')");
    }

    public static Command Create(StopSignals signals)
    {
        var repository = new Argument<string>("repository") { Description = SnapshotsCommand.RepositoryHelp };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan; write nothing." };
        var threshold = new Option<string?>("--threshold")
        {
            Description = "Repack a pack when less than this percentage of its bytes belongs to chunks a snapshot uses (default 80%).",
            HelpName = "PCT",
        };
        var max = new Option<int?>("--max") { Description = "Repack at most N packs in this run (the most sparse first).", HelpName = "N" };
        var minAge = new Option<string?>("--min-age")
        {
            Description = "GC's minimum age (default 1d): a sparse pack's unused chunks are dropped only once two marks named it, the older one past "
                + "--min-age plus the 10 min clock-skew margin; use the value you give 'syncfn gc'.",
            HelpName = "DURATION",
        };
        var mergeRecords = new Option<int?>("--merge-records")
        {
            Description = "Merge a pair's snapshot records into one record set when at least N of them are stored alone (default 16; its latest stays alone).",
            HelpName = "N",
        };
        var retention = new RetentionOptions();
        var (storage, json, verbose) = (CommonOptions.Storage(), CommonOptions.Json(), CommonOptions.Verbose());
        var command = new Command(
            "compact",
            "Compact REPO: with --keep-* rules, first forget the snapshots they do not keep (as 'syncfn forget'); copy the used chunks of sparse packs " +
            "(below --threshold) into new packs and write one index that replaces theirs and the small indexes; merge each pair's snapshot records " +
            "into one record set. A sparse pack is first marked and repacked by a later compact, so a snapshot being written never loses a chunk. " +
            "No pack or index is deleted: 'syncfn gc' then removes the old ones in its two phases.")
        {
            repository, dryRun, threshold, max, minAge, mergeRecords, storage, json, verbose,
        };
        retention.AddTo(command);

        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            var policy = retention.Read(r);
            var options = CompactOptions.Default;
            if (r.GetValue(threshold) is { } pct)
            {
                options = options with { LiveFraction = ParseThreshold(pct) };
            }

            if (r.GetValue(mergeRecords) is { } at)
            {
                options = at >= 1 ? options with { MergeRecordsAt = at } : throw new UsageException("--merge-records takes a positive number of snapshot records");
            }

            var safety = GcSafety.Default;
            if (r.GetValue(minAge) is { } text)
            {
                safety = safety with { MinimumAge = DurationParser.Parse(text, "--min-age", out var error) ?? throw new UsageException(error!) };
            }

            if ((safety.Problem() ?? options.Problem()) is { } problem)
            {
                throw new UsageException(problem);
            }

            if (r.GetValue(max) is < 1)
            {
                throw new UsageException("--max takes a positive number of packs");
            }

            var repo = await RepositoryAccess.OpenAsync(host, r.GetValue(repository)!, r.GetValue(storage), interrupt).ConfigureAwait(false);
            var dry = r.GetValue(dryRun);

            // Forgetting first: compaction then counts what only forgotten snapshots used as unreferenced.
            RetentionPlan? retentionPlan = null;
            ForgetResult? forgotten = null;
            if (policy is not null)
            {
                var forgetter = new SnapshotForgetter(repo.Repository, host.Time);
                retentionPlan = await RepositoryAccess.Guard(() => forgetter.PlanAsync(policy, null, interrupt)).ConfigureAwait(false);
                forgotten = dry ? null : await RepositoryAccess.Guard(() => forgetter.ApplyAsync(retentionPlan, interrupt)).ConfigureAwait(false);
            }

            var compactor = new RepositoryCompactor(repo.Repository, host.Time, safety, options);
            var plan = await RepositoryAccess.Guard(() => compactor.PlanAsync(r.GetValue(max), interrupt)).ConfigureAwait(false);
            var report = dry ? CompactReport.Of(plan, true) : await RepositoryAccess.Guard(() => compactor.ExecuteAsync(plan, new ProgressLogger(host.Logger), interrupt)).ConfigureAwait(false);
            var merger = new SnapshotRecordMerger(repo.Repository, options);
            var leaveOut = dry && retentionPlan is not null ? retentionPlan.Remove.Select(s => s.Id).ToHashSet() : null;
            var mergePlan = await RepositoryAccess.Guard(() => merger.PlanAsync(leaveOut, interrupt)).ConfigureAwait(false);
            var records = dry ? RecordMergeReport.Of(mergePlan, true) : await RepositoryAccess.Guard(() => merger.ExecuteAsync(mergePlan, interrupt)).ConfigureAwait(false);
            var forget = retentionPlan is null ? null : new
            {
                remove = retentionPlan.Remove.Select(s => s.Id.ToString()).ToList(),
                keep = retentionPlan.Keep.Count,
                removed = forgotten?.Deleted ?? 0,
                keptAsHeads = forgotten?.KeptAsHeads ?? 0,
                keptInFlight = forgotten?.KeptInFlight ?? 0,
            };
            var repack = plan.Repack.Select(p => new
            {
                pack = p.Pack.Path, bytes = p.Pack.Size, liveFraction = Math.Round(p.LiveFraction, 4),
                moveChunks = p.Move.Count, moveBytes = p.MoveBytes, droppedChunks = p.DroppedChunks, droppedBytes = p.DroppedBytes,
            }).ToList();
            if (host.Json)
            {
                host.WriteJson(JsonOutput.Of(
                    new { repository = repo.Text, report, repack, markForLater = plan.MarkForLater.Select(p => p.Path), merge = plan.Merge.Select(i => i.Path), records, forget },
                    ExitCodes.Ok));
                return ExitCodes.Ok;
            }

            if (retentionPlan is not null)
            {
                host.Out.WriteLine(dry
                    ? $"forget (dry run): would remove {retentionPlan.Remove.Count} snapshots, keep {retentionPlan.Keep.Count}"
                    : $"forget: removed {forgotten!.Deleted} snapshots, kept {retentionPlan.Keep.Count + forgotten.KeptAsHeads + forgotten.KeptInFlight}");
            }

            Print(host.Out, report, repack.Select(p => (p.pack, p.liveFraction, p.moveChunks, p.moveBytes, p.droppedChunks, p.droppedBytes)));
            host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {(dry ? "would merge" : "merged")} {records.RecordsMerged} snapshot records and {records.SetsReplaced} record sets into {mergePlan.Pairs.Count} sets (one per pair; "
                + $"{records.KeptAlone} latest records stay alone; of {records.Records} snapshots)"));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void Print(TextWriter output, CompactReport report, IEnumerable<(string Pack, double Live, int Move, long MoveBytes, int Dropped, long DroppedBytes)> repack)
    {
        string Size(long bytes) => SizeParser.Format(bytes);
        var (would, dry) = report.DryRun ? ("would ", " (dry run)") : ("", "");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"compact{dry}: {report.Snapshots} snapshots; scanned {report.PacksScanned} packs ({Size(report.PackBytesScanned)})"));
        foreach (var p in repack)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  repack {p.Pack}  {p.Live:P0} live: move {p.Move} chunks ({Size(p.MoveBytes)}), drop {p.Dropped} ({Size(p.DroppedBytes)})"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {would}repack {report.PacksRepacked} packs ({Size(report.PackBytesRepacked)}): {report.ChunksMoved} chunks moved ({Size(report.ChunkBytesMoved)}), {report.ChunksDropped} dropped ({Size(report.ChunkBytesDropped)})"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {would}merge {report.IndexesMerged} indexes ({Size(report.IndexBytesMerged)}) into one new index{(report.IndexWritten is { } index ? ": " + index : "")}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {would}mark {report.PacksMarked} sparse packs for a later compact (once marked twice, the older mark past --min-age plus the clock-skew margin)"));
        if (!report.DryRun)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  wrote {report.PacksWritten} packs ({Size(report.PackBytesWritten)})"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  about {Size(report.ReclaimableBytes)} reclaimable: 'syncfn gc' deletes the old packs and indexes after its two marks"));
    }

    /// <summary>Logs each repacked pack of a compaction.</summary>
    private sealed class ProgressLogger(ILogger log) : IProgress<CompactProgress>
    {
        public void Report(CompactProgress value) =>
            log.LogInformation("compact: {Done}/{Total} packs repacked ({Bytes} moved)", value.PacksDone, value.PacksTotal, SizeParser.Format(value.BytesMoved));
    }
}
