using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Cli.Output;
using SyncFunctions.Core.Retry;
using SyncFunctions.Core.Snapshots.Destination;
using SyncFunctions.Core.Stores;

namespace SyncFunctions.Cli.Commands;

/// <summary><c>syncfn restore REPO SNAPSHOT DESTINATION [--path P]</c>: writes a snapshot's files out, verified by hash, resumable.</summary>
internal static class RestoreCommand
{
    public static Command Create(StopSignals signals)
    {
        var repository = new Argument<string>("repository") { Description = SnapshotsCommand.RepositoryHelp };
        var snapshot = new Argument<string>("snapshot") { Description = SnapshotsCommand.SnapshotHelp };
        var destination = new Argument<string>("destination") { Description = "Where the files go: a folder (created when missing) or blob:CONTAINER[/PREFIX]." };
        var path = new Option<string?>("--path") { Description = "Restore only this file or folder of the snapshot (its path inside the snapshot).", HelpName = "PATH" };
        var pair = new Option<string?>("--pair") { Description = "With 'latest': the newest snapshot of this pair (its name or id).", HelpName = "PAIR" };
        var (storage, ledger, json, verbose) = (CommonOptions.Storage(), CommonOptions.Ledger(), CommonOptions.Json(), CommonOptions.Verbose());
        var command = new Command(
            "restore",
            "Restore a snapshot (or --path of it) into DESTINATION. Every file is checked against its content hash as it is written; " +
            "files already there with the right content are left as they are, so an interrupted restore resumes where it stopped.")
        {
            repository, snapshot, destination, path, pair, storage, ledger, json, verbose,
        };
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), r.GetValue(verbose), ct, async (host, interrupt) =>
        {
            var target = SyncCommand.ParseEndpoint(host.Endpoints, r.GetValue(destination)!, "destination", Environment.CurrentDirectory);
            if (target.Scheme == RepositoryEndpointScheme.SchemeName)
            {
                throw new UsageException("a snapshot is restored into a folder or a blob container, not into a repository");
            }

            var repo = await RepositoryAccess.OpenAsync(host, r.GetValue(repository)!, r.GetValue(storage), interrupt).ConfigureAwait(false);
            var pairId = r.GetValue(pair) is { } p
                ? SnapshotsCommand.PairIdOf(p, await RepositoryAccess.PairNamesAsync(host, r.GetValue(storage), r.GetValue(ledger), interrupt).ConfigureAwait(false))
                : null;
            var found = await repo.FindAsync(r.GetValue(snapshot)!, pairId, interrupt).ConfigureAwait(false);
            if (target.Scheme == LocalEndpointScheme.SchemeName)
            {
                Directory.CreateDirectory(target.Address);
            }

            var policy = RetryDecorators.PolicyFor(host.Time, log: host.LoggerFactory.CreateLogger("SyncFunctions.Retry"));
            var store = RetryDecorators.Store(host.Endpoints.CreateStore(CliEndpoints.OnStorage(target, repo.StorageAccount)), policy);
            var subPath = r.GetValue(path)?.Trim('/') is { Length: > 0 } sub ? sub : null;
            var result = await RepositoryAccess.Guard(() => repo.Reader.RestoreAsync(found.Id, store, subPath, interrupt)).ConfigureAwait(false);
            if (host.Json)
            {
                host.WriteJson(JsonOutput.Of(
                    new { snapshot = found.Id.ToString(), destination = target.ToString(), path = subPath, result.FilesWritten, result.FilesSkipped, result.BytesWritten },
                    ExitCodes.Ok));
            }
            else
            {
                host.Out.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"restored snapshot {found.Id.ToString()[..12]}{(subPath is null ? "" : " path " + subPath)} into {target}: {result.FilesWritten:N0} files written ({SizeParser.Format(result.BytesWritten)}), {result.FilesSkipped:N0} already there"));
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
