using System.CommandLine;
using SyncFunctions.Cli.Azurite;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Cli.Output;

namespace SyncFunctions.Cli.Commands;

/// <summary><c>syncfn azurite status|stop</c>: the embedded local Azurite.</summary>
internal static class AzuriteCommand
{
    public static Command Create(StopSignals signals)
    {
        var command = new Command("azurite", "The embedded local Azurite used when no --storage / $SYNCFN_STORAGE is given.");
        command.Add(CreateStatus(signals));
        command.Add(CreateStop(signals));
        return command;
    }

    private static Command CreateStatus(StopSignals signals)
    {
        var json = CommonOptions.Json();
        var command = new Command("status", "Show whether the embedded Azurite runs: pid, ports, data folder, connection string.") { json };
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), verbose: false, ct, async (host, interrupt) =>
        {
            var azurite = new EmbeddedAzurite(RepoLocator.StateDirectory(), host.Time);
            var running = await azurite.GetRunningAsync(interrupt).ConfigureAwait(false);
            if (host.Json)
            {
                host.WriteJson(JsonOutput.Of(
                    new
                    {
                        running = running is not null,
                        stateDirectory = azurite.StateDirectory,
                        instance = running,
                        connectionString = running?.ConnectionString,
                    },
                    ExitCodes.Ok));
                return ExitCodes.Ok;
            }

            if (running is null)
            {
                Console.Out.WriteLine($"not running (state folder {azurite.StateDirectory})");
                return ExitCodes.Ok;
            }

            Console.Out.WriteLine($"running: pid {running.Pid}, started {running.Started:u}");
            Console.Out.WriteLine($"ports: blob {running.BlobPort}, queue {running.QueuePort}, table {running.TablePort}");
            Console.Out.WriteLine($"data: {running.DataDirectory}");
            Console.Out.WriteLine($"state: {azurite.StateFile}");

            // Azurite's development key is public and well known: printing it exposes nothing.
            Console.Out.WriteLine($"connection string: {running.ConnectionString}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command CreateStop(StopSignals signals)
    {
        var json = CommonOptions.Json();
        var command = new Command("stop", "Stop the embedded Azurite and forget its state file (its data folder is kept).") { json };
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, r.GetValue(json), verbose: false, ct, async (host, interrupt) =>
        {
            var azurite = new EmbeddedAzurite(RepoLocator.StateDirectory(), host.Time);
            var stopped = await azurite.StopAsync(interrupt).ConfigureAwait(false);
            var text = stopped is null ? "not running" : $"stopped (pid {stopped.Pid}); data kept in {stopped.DataDirectory}";
            if (host.Json)
            {
                host.WriteJson(JsonOutput.Of(new { stopped = stopped is not null, pid = stopped?.Pid, message = text }, ExitCodes.Ok));
            }
            else
            {
                Console.Out.WriteLine(text);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
