using SyncFunctions.Cli;
using SyncFunctions.Cli.Commands;
using SyncFunctions.Cli.Hosting;

namespace SyncFunctions.IntegrationTests.Cli;

public sealed class CommandHostTests
{
    [Fact]
    public async Task RunAsync_CancellationNobodyAskedFor_IsAFatalErrorNotASilentExit()
    {
        using var signals = new StopSignals();

        var exitCode = await CommandHost.RunAsync(signals, json: true, verbose: false, CancellationToken.None,
            (_, _) => Task.FromException<int>(new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout")));

        Assert.Equal(ExitCodes.Fatal, exitCode);
    }

    [Fact]
    public async Task RunAsync_CancelledByTheCaller_IsAnInterruption()
    {
        using var signals = new StopSignals();
        using var cts = new CancellationTokenSource();

        var exitCode = await CommandHost.RunAsync(signals, json: true, verbose: false, cts.Token, async (_, token) =>
        {
            await cts.CancelAsync();
            token.ThrowIfCancellationRequested();
            return ExitCodes.Ok;
        });

        Assert.Equal(ExitCodes.Interrupted, exitCode);
    }
}
