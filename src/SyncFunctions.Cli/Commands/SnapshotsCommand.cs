using System.CommandLine;
using System.Globalization;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Cli.Output;
using SyncFunctions.Core.Snapshots;

namespace SyncFunctions.Cli.Commands;

/// <summary><c>syncfn snapshots list|show|diff REPO ...</c>: what a snapshot repository holds.</summary>
internal static class SnapshotsCommand
{
    public const string RepositoryHelp = "The snapshot repository: repo:CONTAINER[/PREFIX] on the storage account (--storage, else the embedded Azurite).";

    public const string SnapshotHelp = "A snapshot: its id, at least 4 of its first hex digits, or 'latest'.";

    public static Command Create(StopSignals signals) =>
        new("snapshots", "List, show and compare the snapshots of a repository.") { List(signals), Show(signals), Diff(signals) };

    private static Command List(StopSignals signals)
    {
        var repository = new Argument<string>("repository") { Description = RepositoryHelp };
        var pair = new Option<string?>("--pair") { Description = "Only the snapshots of this pair (its name or id).", HelpName = "PAIR" };
        var (storage, ledger, json, verbose) = (CommonOptions.Storage(), CommonOptions.Ledger(), CommonOptions.Json(), CommonOptions.Verbose());
        var command = new Command("list", "List the snapshots of REPO, oldest first: id, time, pair, files, bytes, tags.") { repository, pair, storage, ledger, json, verbose };
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            var repo = await RepositoryAccess.OpenAsync(host, r.GetValue(repository)!, r.GetValue(storage), interrupt).ConfigureAwait(false);
            var names = await RepositoryAccess.PairNamesAsync(host, r.GetValue(storage), r.GetValue(ledger), interrupt).ConfigureAwait(false);
            var pairId = PairIdOf(r.GetValue(pair), names);
            var snapshots = (await repo.ListAsync(interrupt).ConfigureAwait(false)).Where(s => pairId is null || s.Record.Pair.Id == pairId).Select(s => SnapshotView.Of(s, names)).ToList();
            if (host.Json)
            {
                host.WriteJson(JsonOutput.Of(new { repository = repo.Text, snapshots }, ExitCodes.Ok));
                return ExitCodes.Ok;
            }

            host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"ID",-12}  {"TIME (UTC)",-19}  {"PAIR",-24}  {"FILES",9}  {"BYTES",12}  TAGS"));
            foreach (var s in snapshots)
            {
                host.Out.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{s.Id[..12]}  {s.Time.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {Clip(s.Pair, 24),-24}  {s.Files,9:N0}  {SizeParser.Format(s.Bytes),12}  {string.Join(',', s.Tags)}"));
            }

            host.Out.WriteLine($"{snapshots.Count} snapshots");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Show(StopSignals signals)
    {
        var repository = new Argument<string>("repository") { Description = RepositoryHelp };
        var snapshot = new Argument<string>("snapshot") { Description = SnapshotHelp };
        var path = new Option<string?>("--path") { Description = "Only the files at or below this path.", HelpName = "PATH" };
        var pair = new Option<string?>("--pair") { Description = "With 'latest': the newest snapshot of this pair (its name or id).", HelpName = "PAIR" };
        var (storage, ledger, json, verbose) = (CommonOptions.Storage(), CommonOptions.Ledger(), CommonOptions.Json(), CommonOptions.Verbose());
        var command = new Command("show", "Show a snapshot's record and its files (path, size, time, content hash).") { repository, snapshot, path, pair, storage, ledger, json, verbose };
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            var repo = await RepositoryAccess.OpenAsync(host, r.GetValue(repository)!, r.GetValue(storage), interrupt).ConfigureAwait(false);
            var names = await RepositoryAccess.PairNamesAsync(host, r.GetValue(storage), r.GetValue(ledger), interrupt).ConfigureAwait(false);
            var found = await repo.FindAsync(r.GetValue(snapshot)!, PairIdOf(r.GetValue(pair), names), interrupt).ConfigureAwait(false);
            var prefix = r.GetValue(path)?.Trim('/');
            var files = new List<FileView>();
            await RepositoryAccess.Guard(async () =>
            {
                await foreach (var file in repo.Reader.WalkAsync(found.Id, interrupt).ConfigureAwait(false))
                {
                    if (string.IsNullOrEmpty(prefix) || file.Path == prefix || file.Path.StartsWith(prefix + "/", StringComparison.Ordinal))
                    {
                        files.Add(new FileView(file.Path, file.Entry.Size, file.Entry.Modified, file.Entry.ContentHash!.Value.ToString(), file.Entry.Chunks.Count));
                    }
                }

                return files;
            }).ConfigureAwait(false);
            var view = SnapshotView.Of(found, names);
            if (host.Json)
            {
                host.WriteJson(JsonOutput.Of(new { snapshot = view, files }, ExitCodes.Ok));
                return ExitCodes.Ok;
            }

            host.Out.WriteLine($"snapshot {view.Id}");
            host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  time {view.Time.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, pair {view.Pair}, run {view.RunId} on {view.Host}"));
            host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  source {view.Source}; {view.Files:N0} files, {SizeParser.Format(view.Bytes)}{(view.Tags.Count > 0 ? "; tags " + string.Join(',', view.Tags) : "")}"));
            host.Out.WriteLine($"  parent {view.Parent ?? "(none)"}");
            foreach (var f in files)
            {
                host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{SizeParser.Format(f.Size),12}  {f.Modified.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {f.Path}"));
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Diff(StopSignals signals)
    {
        var repository = new Argument<string>("repository") { Description = RepositoryHelp };
        var from = new Argument<string>("from") { Description = "The older snapshot. " + SnapshotHelp };
        var to = new Argument<string>("to") { Description = "The newer snapshot. " + SnapshotHelp };
        var (storage, json, verbose) = (CommonOptions.Storage(), CommonOptions.Json(), CommonOptions.Verbose());
        var command = new Command("diff", "List the files added (+), removed (-) and modified (M) between two snapshots, by content.") { repository, from, to, storage, json, verbose };
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            var repo = await RepositoryAccess.OpenAsync(host, r.GetValue(repository)!, r.GetValue(storage), interrupt).ConfigureAwait(false);
            var before = await repo.FindAsync(r.GetValue(from)!, null, interrupt).ConfigureAwait(false);
            var after = await repo.FindAsync(r.GetValue(to)!, null, interrupt).ConfigureAwait(false);
            var changes = new List<ChangeView>();
            await RepositoryAccess.Guard(async () =>
            {
                await foreach (var c in SnapshotDiff.DiffAsync(repo.Reader.WalkAsync(before.Id, interrupt), repo.Reader.WalkAsync(after.Id, interrupt), interrupt).ConfigureAwait(false))
                {
                    changes.Add(new ChangeView(c.Path, c.Kind, c.Before?.Entry.Size, c.After?.Entry.Size));
                }

                return changes;
            }).ConfigureAwait(false);
            var counts = new
            {
                added = changes.Count(c => c.Kind == SnapshotChangeKind.Added),
                removed = changes.Count(c => c.Kind == SnapshotChangeKind.Removed),
                modified = changes.Count(c => c.Kind == SnapshotChangeKind.Modified),
            };
            if (host.Json)
            {
                host.WriteJson(JsonOutput.Of(new { from = before.Id.ToString(), to = after.Id.ToString(), counts.added, counts.removed, counts.modified, changes }, ExitCodes.Ok));
                return ExitCodes.Ok;
            }

            foreach (var c in changes)
            {
                var mark = c.Kind switch { SnapshotChangeKind.Added => "+", SnapshotChangeKind.Removed => "-", _ => "M" };
                host.Out.WriteLine($"{mark}  {c.Path}");
            }

            host.Out.WriteLine($"{before.Id.ToString()[..12]} -> {after.Id.ToString()[..12]}: {counts.added} added, {counts.removed} removed, {counts.modified} modified");
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The pair id a --pair value names: a pair's name from the ledger, else the value as an id.</summary>
    internal static string? PairIdOf(string? pair, IReadOnlyDictionary<string, string> names) =>
        pair is null ? null : names.FirstOrDefault(n => n.Value == pair).Key ?? pair;

    private static string Clip(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";

    /// <summary>A snapshot as the commands print it.</summary>
    internal sealed record SnapshotView(
        string Id, DateTimeOffset Time, string Pair, string PairId, long Files, long Bytes, IReadOnlyList<string> Tags, string? Parent, string Source, string Host, string RunId)
    {
        public static SnapshotView Of(StoredSnapshot s, IReadOnlyDictionary<string, string> names)
        {
            var r = s.Record;
            var name = r.Pair.Name ?? (names.TryGetValue(r.Pair.Id, out var known) ? known : r.Pair.Id);
            return new(s.Id.ToString(), r.Time, name, r.Pair.Id, r.Files, r.Bytes, r.Tags, r.Parent?.ToString(), r.Source, r.Host, r.RunId);
        }
    }

    private sealed record FileView(string Path, long Size, DateTimeOffset Modified, string ContentHash, int Chunks);

    private sealed record ChangeView(string Path, SnapshotChangeKind Kind, long? SizeBefore, long? SizeAfter);
}
