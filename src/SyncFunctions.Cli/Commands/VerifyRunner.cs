using Spectre.Console;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Cli.Commands;

/// <summary>The result of verify as the CLI prints it.</summary>
internal sealed record VerifyOutcome(bool Clean, object Json);

/// <summary>Runs the Core verify service and prints its report.</summary>
internal static class VerifyRunner
{
    public static Task<VerifyOutcome> RunAsync(IObjectStore source, IObjectStore destination, bool deep, CancellationToken cancellationToken) =>
        throw new NotImplementedException("waiting for VerifyService");

    public static void Print(IAnsiConsole console, VerifyOutcome report, bool terminal) =>
        throw new NotImplementedException("waiting for VerifyService");
}
