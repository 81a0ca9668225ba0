using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Cli.Output;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Core.Snapshots.Maintenance;

namespace SyncFunctions.Cli.Commands;

/// <summary><c>syncfn repo verify|stats REPO</c>: checks a snapshot repository and tells what it stores.</summary>
internal static class RepoCommand
{
    public static Command Create(StopSignals signals) =>
        new("repo", "Check a snapshot repository and show what it stores.") { Verify(signals), Stats(signals) };

    /// <summary>Parses <c>--subset</c>: a percentage (<c>10%</c> or <c>10</c>) above 0 and at most 100, as a fraction.</summary>
    internal static double ParseSubset(string text)
    {
        var number = text.EndsWith('%') ? text[..^1] : text;
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) && percent is > 0 and <= 100
            ? percent / 100
            : throw new UsageException($"--subset takes a percentage of the packs above 0 and at most 100, such as 10% (got '{text}')");
    }

    private static Command Verify(StopSignals signals)
    {
        var repository = new Argument<string>("repository") { Description = SnapshotsCommand.RepositoryHelp };
        var readData = new Option<bool>("--read-data") { Description = "Also read the packs and check every chunk against its SHA-256 (reads the stored bytes)." };
        var subset = new Option<string?>("--subset")
        {
            Description = "With --read-data: read only this percentage of the packs, e.g. 10% (the same packs each time for one percentage; a larger one reads a superset).",
            HelpName = "P%",
        };
        var (storage, json, verbose) = (CommonOptions.Storage(), CommonOptions.Json(), CommonOptions.Verbose());
        var command = new Command(
            "verify",
            "Check REPO's structure: config, indexes, packs against their indexes, snapshot records and record sets, heads, every tree and every chunk a snapshot names. " +
            "Exit 0 when it is sound, 1 when damage was found (each damaged object is named).")
        {
            repository, readData, subset, storage, json, verbose,
        };
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            var fraction = r.GetValue(subset) is { } text ? ParseSubset(text) : 1.0;
            if (r.GetValue(subset) is not null && !r.GetValue(readData))
            {
                throw new UsageException("--subset goes with --read-data");
            }

            var text2 = r.GetValue(repository)!;
            var (root, _) = await RepositoryAccess.RootAsync(host, text2, r.GetValue(storage), interrupt).ConfigureAwait(false);
            var progress = new PhaseLogger(host.Logger);
            var report = await new RepositoryVerifier(root).VerifyAsync(new VerifyOptions { ReadData = r.GetValue(readData), Subset = fraction }, progress, interrupt).ConfigureAwait(false);
            if (report.Problems is [{ Object: RepositoryLayout.ConfigPath, Damage: FormatDamage.Missing }] && report.Indexes == 0 && report.Packs == 0 && report.Snapshots == 0)
            {
                throw new FatalException($"no repository at {text2}: it has no config");
            }

            var exitCode = report.IsClean ? ExitCodes.Ok : ExitCodes.ItemsFailed;
            if (host.Json)
            {
                host.WriteJson(JsonOutput.Of(
                    new
                    {
                        repository = text2,
                        clean = report.IsClean,
                        report.Snapshots, report.Heads, report.RecordSets, report.Trees, report.Indexes, report.Packs, report.ChunksChecked,
                        report.PacksRead, report.ChunksRead, report.BytesRead, report.UnreferencedTrees, report.UnindexedPacks,
                        problems = report.Problems.Select(p => new { @object = p.Object, damage = p.Damage, chunk = p.Chunk?.ToString(), detail = p.Detail }),
                    },
                    exitCode));
                return exitCode;
            }

            foreach (var p in report.Problems)
            {
                host.Out.WriteLine($"damaged: {p.Object}: {p.Damage}: {p.Detail}");
            }

            var inv = CultureInfo.InvariantCulture;
            var head = report.IsClean ? "no damage" : string.Create(inv, $"{report.Problems.Count} problems");
            var read = r.GetValue(readData)
                ? string.Create(inv, $"; read {report.PacksRead} packs ({SizeParser.Format(report.BytesRead)}), {report.ChunksRead:N0} chunks verified")
                : "";
            var loose = report.UnreferencedTrees + report.UnindexedPacks > 0
                ? string.Create(inv, $"; unreferenced (for gc): {report.UnreferencedTrees} trees, {report.UnindexedPacks} packs in no index")
                : "";
            host.Out.WriteLine(string.Create(
                inv,
                $"{head}: {report.Snapshots} snapshots{(report.RecordSets > 0 ? $" ({report.RecordSets} record sets)" : "")}, {report.Heads} heads, {report.Trees} trees, {report.Indexes} indexes, {report.Packs} packs, {report.ChunksChecked:N0} chunk references checked{read}{loose}"));
            return exitCode;
        }));
        return command;
    }

    private static Command Stats(StopSignals signals)
    {
        var repository = new Argument<string>("repository") { Description = SnapshotsCommand.RepositoryHelp };
        var (storage, json, verbose) = (CommonOptions.Storage(), CommonOptions.Json(), CommonOptions.Verbose());
        var command = new Command("stats", "Show what REPO stores: snapshots, logical and stored bytes, the dedup ratio, packs, chunks, indexes, trees.")
        {
            repository, storage, json, verbose,
        };
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            var repo = await RepositoryAccess.OpenAsync(host, r.GetValue(repository)!, r.GetValue(storage), interrupt).ConfigureAwait(false);
            var stats = await RepositoryAccess.Guard(() => new RepositoryStats(repo.Repository).ComputeAsync(interrupt)).ConfigureAwait(false);
            if (host.Json)
            {
                host.WriteJson(JsonOutput.Of(new { repository = repo.Text, stats }, ExitCodes.Ok));
                return ExitCodes.Ok;
            }

            host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"snapshots        {stats.Snapshots:N0} ({stats.Pairs} pairs)"));
            host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"logical bytes    {SizeParser.Format(stats.LogicalBytes)} in all snapshots, {SizeParser.Format(stats.UniqueLogicalBytes)} of unique file content"));
            host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stored bytes     {SizeParser.Format(stats.StoredBytes)} in {stats.Packs:N0} packs ({stats.Chunks:N0} chunks), {stats.Indexes:N0} indexes, {stats.Trees:N0} trees"));
            host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dedup ratio      {stats.DedupRatio:0.00} (logical / stored)"));
            host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"unreferenced     {SizeParser.Format(stats.UnreferencedChunkBytes)} of chunks no snapshot uses (gc reclaims them)"));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Logs each phase of a verify once, when it starts.</summary>
    private sealed class PhaseLogger(ILogger log) : IProgress<VerifyProgress>
    {
        private VerifyPhase? _last;

        public void Report(VerifyProgress value)
        {
            if (_last != value.Phase)
            {
                _last = value.Phase;
                log.LogInformation("verify: {Phase} ({Total} to check)", value.Phase, value.Total);
            }
        }
    }
}
