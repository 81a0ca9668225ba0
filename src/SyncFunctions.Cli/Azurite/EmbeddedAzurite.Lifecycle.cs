using SyncFunctions.Cli.Hosting;

namespace SyncFunctions.Cli.Azurite;

internal sealed partial class EmbeddedAzurite
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    /// <summary>Stops the recorded instance (if any) and removes the state file; returns the stopped state or null.</summary>
    public async Task<EmbeddedAzuriteState?> StopAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(StateDirectory))
        {
            return null;
        }

        await using var held = await AcquireLockAsync(cancellationToken).ConfigureAwait(false);
        var recorded = ReadState();
        if (recorded is null)
        {
            return null;
        }

        if (IsSameProcess(recorded))
        {
            await TerminateAsync(recorded.Pid, cancellationToken).ConfigureAwait(false);
        }

        File.Delete(StateFile);
        return recorded;
    }

    /// <summary>SIGTERM to Azurite's process group (it leads its own session) so it flushes its data, then SIGKILL if it lingers.</summary>
    private async Task TerminateAsync(int pid, CancellationToken cancellationToken)
    {
        if (!NativeMethods.SendSignal(-pid, NativeMethods.SIGTERM))
        {
            NativeMethods.SendSignal(pid, NativeMethods.SIGTERM);
        }

        var started = _time.GetTimestamp();
        while (ProcessOwner.PidExists(pid) && _time.GetElapsedTime(started) < StopGrace)
        {
            await Task.Delay(LockPoll, _time, cancellationToken).ConfigureAwait(false);
        }

        if (ProcessOwner.PidExists(pid))
        {
            NativeMethods.SendSignal(-pid, NativeMethods.SIGKILL);
            NativeMethods.SendSignal(pid, NativeMethods.SIGKILL);
        }
    }

    /// <summary>Starts Azurite detached (on new free ports; pair ids do not depend on them, see <c>CliEndpoints.EmbeddedBlobAccount</c>).</summary>
    private async Task<EmbeddedAzuriteState> StartDetachedAsync(CancellationToken cancellationToken)
    {
        var tools = RepoLocator.FindAzuriteTools()
            ?? throw new InvalidOperationException(
                "cannot find tools/azurite: run syncfn through the ./syncfn script, set SYNCFN_REPO to the repository, or pass --storage CONNECTION");
        var launcher = new AzuriteLauncher(tools, _time);
        await launcher.EnsureInstalledAsync(cancellationToken).ConfigureAwait(false);

        // Not disposed: a detached instance outlives this process by design (azurite stop ends it).
        var instance = await launcher.StartAsync(DataDirectory, detached: true, cancellationToken).ConfigureAwait(false);
        return new EmbeddedAzuriteState(
            instance.Pid, ProcessOwner.ReadStartTime(instance.Pid), instance.BlobPort, instance.QueuePort, instance.TablePort,
            instance.DataDir, _time.GetUtcNow());
    }
}
