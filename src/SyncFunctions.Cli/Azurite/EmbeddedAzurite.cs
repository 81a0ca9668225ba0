using System.Net.Sockets;
using System.Text.Json;

namespace SyncFunctions.Cli.Azurite;

/// <summary>What azurite.json records about the embedded instance.</summary>
/// <param name="Pid">Azurite's process id (the leader of its own session).</param>
/// <param name="PidStarted">The process's start time, so a recycled pid is not mistaken for Azurite.</param>
/// <param name="BlobPort">Blob service port on 127.0.0.1.</param>
/// <param name="QueuePort">Queue service port on 127.0.0.1.</param>
/// <param name="TablePort">Table service port on 127.0.0.1.</param>
/// <param name="DataDirectory">Where Azurite keeps its data (kept across restarts).</param>
/// <param name="Started">When syncfn started it.</param>
internal sealed record EmbeddedAzuriteState(
    int Pid,
    DateTimeOffset? PidStarted,
    int BlobPort,
    int QueuePort,
    int TablePort,
    string DataDirectory,
    DateTimeOffset Started)
{
    /// <summary>The connection string with Azurite's public, well-known development key.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string ConnectionString => AzuriteInstance.BuildConnectionString(BlobPort, QueuePort, TablePort);
}

/// <summary>
/// The embedded local Azurite: one instance per user state folder, started detached (its own session,
/// so Ctrl-C of a sync does not kill it) on ports of its own, with its data kept in the state folder.
/// </summary>
/// <remarks>
/// Start and stop happen under an exclusive lock on <c>azurite.lock</c>, so two <c>syncfn</c> processes
/// starting at once share one instance. Instances are thread-safe; the lock is per process too.
/// </remarks>
internal sealed partial class EmbeddedAzurite
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan LockPoll = TimeSpan.FromMilliseconds(100);
    private readonly TimeProvider _time;

    public EmbeddedAzurite(string stateDirectory, TimeProvider time)
    {
        StateDirectory = stateDirectory;
        _time = time;
    }

    public string StateDirectory { get; }

    public string StateFile => Path.Combine(StateDirectory, "azurite.json");

    public string DataDirectory => Path.Combine(StateDirectory, "azurite-data");

    private string LockFile => Path.Combine(StateDirectory, "azurite.lock");

    /// <summary>Reuses the recorded instance when it is alive and answering, else starts a new one; returns it and whether it was started now.</summary>
    public async Task<(EmbeddedAzuriteState State, bool StartedNow)> EnsureRunningAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(StateDirectory);
        await using var held = await AcquireLockAsync(cancellationToken).ConfigureAwait(false);
        var recorded = ReadState();
        if (recorded is not null && await IsAliveAsync(recorded, cancellationToken).ConfigureAwait(false))
        {
            return (recorded, false);
        }

        Directory.CreateDirectory(DataDirectory);
        var started = await StartDetachedAsync(cancellationToken).ConfigureAwait(false);
        WriteState(started);
        return (started, true);
    }

    /// <summary>The recorded instance when it is alive, else null (a stale record is left for stop to clean).</summary>
    public async Task<EmbeddedAzuriteState?> GetRunningAsync(CancellationToken cancellationToken)
    {
        var recorded = ReadState();
        return recorded is not null && await IsAliveAsync(recorded, cancellationToken).ConfigureAwait(false) ? recorded : null;
    }

    /// <summary>The recorded state, alive or not.</summary>
    public EmbeddedAzuriteState? ReadState()
    {
        try
        {
            return File.Exists(StateFile) ? JsonSerializer.Deserialize<EmbeddedAzuriteState>(File.ReadAllText(StateFile), Output.JsonOutput.Options) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private void WriteState(EmbeddedAzuriteState state)
    {
        var temp = StateFile + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(state, Output.JsonOutput.Options));
        File.Move(temp, StateFile, overwrite: true);
    }

    private async Task<bool> IsAliveAsync(EmbeddedAzuriteState state, CancellationToken cancellationToken)
    {
        if (!IsSameProcess(state))
        {
            return false;
        }

        return await PortAnswersAsync(state.BlobPort, cancellationToken).ConfigureAwait(false)
            && await PortAnswersAsync(state.TablePort, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsSameProcess(EmbeddedAzuriteState state)
    {
        var actual = Hosting.ProcessOwner.ReadStartTime(state.Pid);
        return actual is { } a && (state.PidStarted is not { } recorded || (a - recorded).Duration() <= TimeSpan.FromSeconds(1));
    }

    private static async Task<bool> PortAnswersAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task<FileStream> AcquireLockAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock (flock) on Unix; it is released when
                // the stream closes or the process dies, so a crashed syncfn never leaves it held.
                return new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (_time.GetElapsedTime(started) < LockTimeout)
            {
                await Task.Delay(LockPoll, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
