using System.Runtime.InteropServices;

namespace SyncFunctions.Cli.Hosting;

/// <summary>
/// Turns SIGINT (Ctrl-C) and SIGTERM into a cancellation of <see cref="Token"/> instead of letting the
/// runtime end the process, so the engine can save its state and return. There is deliberately no
/// forced exit after a timeout: a graceful stop always finishes; <c>kill -9</c> remains for impatience
/// and loses nothing either.
/// </summary>
/// <remarks>Thread-safe; the handlers run on a runtime thread.</remarks>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _signal;

    public StopSignals()
    {
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));
    }

    /// <summary>Cancelled at the first SIGINT or SIGTERM.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>The first signal received, or <see cref="StopSignal.None"/>.</summary>
    public StopSignal Signal => (StopSignal)Volatile.Read(ref _signal);

    /// <summary>Called once, on the first signal (e.g. to print "stopping, saving state").</summary>
    public event Action<StopSignal>? Stopping;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cts.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Keep the process alive: the engine returns once its state is saved.
        context.Cancel = true;
        var signal = context.Signal == PosixSignal.SIGTERM ? StopSignal.Terminate : StopSignal.Interrupt;
        if (Interlocked.CompareExchange(ref _signal, (int)signal, (int)StopSignal.None) != (int)StopSignal.None)
        {
            return;
        }

        Stopping?.Invoke(signal);
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // A signal that arrives while the process is already tearing down has nothing left to stop.
        }
    }
}
