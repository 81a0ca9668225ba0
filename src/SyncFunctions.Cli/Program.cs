using System.CommandLine;
using SyncFunctions.Cli.Commands;
using SyncFunctions.Cli.Hosting;

namespace SyncFunctions.Cli;

/// <summary>The <c>syncfn</c> entry point: parse, run one command, return its exit code.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var signals = new StopSignals();
        var root = BuildRoot(signals);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // System.CommandLine would exit 1 on a parse error; usage errors are 2 here.
            foreach (var error in parsed.Errors)
            {
                Console.Error.WriteLine($"syncfn: {Redaction.Redact(error.Message)}");
            }

            Console.Error.WriteLine("Run 'syncfn --help' for usage.");
            if (args.Contains("--json"))
            {
                Console.Out.WriteLine(Output.JsonOutput.Error(Redaction.Redact(parsed.Errors[0].Message), ExitCodes.Usage));
            }

            return ExitCodes.Usage;
        }

        // ProcessTerminationTimeout = null: signals are handled by StopSignals, which never forces an exit.
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = true };
        return await parsed.InvokeAsync(invocation, signals.Token).ConfigureAwait(false);
    }

    /// <summary>The command tree; every command's action runs through <see cref="CommandHost"/>.</summary>
    public static RootCommand BuildRoot(StopSignals signals)
    {
        var root = new RootCommand(
            "syncfn: sync local folders, Azure Blob containers and Microsoft 365 drives (a mirror: same relative paths), with every step " +
            "recorded in Azure Table Storage so an interrupted run resumes where it stopped.\n\n" + ExitCodes.HelpText)
        {
            SyncCommand.Create(signals),
            PairsCommand.Create(signals),
            RunsCommand.Create(signals),
            VerifyCommand.Create(signals),
            AzuriteCommand.Create(signals),
            GraphDevCommand.Create(signals),
            ServeCommand.Create(signals),
            MaintenanceCommand.Create(signals),
            SnapshotsCommand.Create(signals),
            RestoreCommand.Create(signals),
            RepoCommand.Create(signals),
            ForgetGcCommands.Forget(signals),
            ForgetGcCommands.Gc(signals),
            CompactCommand.Create(signals),
        };
        return root;
    }
}
