using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Cli.Output;
using SyncFunctions.Core.Snapshots.Maintenance;

namespace SyncFunctions.Cli.Commands;

/// <summary>
/// <c>syncfn compact REPO [--dry-run] [--threshold PCT] [--max N] [--min-age D]</c>: repacks sparse packs and merges
/// indexes into one new index, leaving the old ones to <c>syncfn gc</c>. Plans first and prints the plan; a dry run
/// prints the same plan and writes nothing.
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
        var (storage, json, verbose) = (CommonOptions.Storage(), CommonOptions.Json(), CommonOptions.Verbose());
        var command = new Command(
            "compact",
            "Compact REPO: copy the used chunks of sparse packs (below --threshold) into new packs and write one index that replaces theirs and the " +
            "small indexes. A sparse pack is first marked and repacked by a later compact, so a snapshot being written never loses a chunk. " +
            "Nothing is deleted: 'syncfn gc' then removes the old packs and indexes in its two phases.")
        {
            repository, dryRun, threshold, max, minAge, storage, json, verbose,
        };
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            var options = CompactOptions.Default;
            if (r.GetValue(threshold) is { } pct)
            {
                options = options with { LiveFraction = ParseThreshold(pct) };
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
            var compactor = new RepositoryCompactor(repo.Repository, host.Time, safety, options);
            var plan = await RepositoryAccess.Guard(() => compactor.PlanAsync(r.GetValue(max), interrupt)).ConfigureAwait(false);
            var dry = r.GetValue(dryRun);
            var report = dry ? CompactReport.Of(plan, true) : await RepositoryAccess.Guard(() => compactor.ExecuteAsync(plan, new ProgressLogger(host.Logger), interrupt)).ConfigureAwait(false);
            var repack = plan.Repack.Select(p => new
            {
                pack = p.Pack.Path, bytes = p.Pack.Size, liveFraction = Math.Round(p.LiveFraction, 4),
                moveChunks = p.Move.Count, moveBytes = p.MoveBytes, droppedChunks = p.DroppedChunks, droppedBytes = p.DroppedBytes,
            }).ToList();
            if (host.Json)
            {
                host.WriteJson(JsonOutput.Of(new { repository = repo.Text, report, repack, markForLater = plan.MarkForLater.Select(p => p.Path), merge = plan.Merge.Select(i => i.Path) }, ExitCodes.Ok));
                return ExitCodes.Ok;
            }

            Print(host.Out, report, repack.Select(p => (p.pack, p.liveFraction, p.moveChunks, p.moveBytes, p.droppedChunks, p.droppedBytes)));
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
