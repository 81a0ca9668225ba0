using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.InProcess;

/// <summary>Sums the steps' events of this process into the live progress its host shows. Thread-safe.</summary>
internal sealed class ProgressTally(IProgress<SyncProgress>? host) : IProgress<ActionEnded>
{
    private long _done;
    private long _bytes;
    private long _total;
    private long _totalBytes;
    private int _observeDone;

    public void Report(ActionEnded value)
    {
        var done = Interlocked.Increment(ref _done);
        var bytes = Interlocked.Add(ref _bytes, value.Bytes);
        Publish("transfer", done, bytes, value.Path, null);
    }

    /// <summary>The run's totals as the last observe unit or completion check saw them.</summary>
    public void Totals(long actions, long bytes, bool observeDone)
    {
        Interlocked.Exchange(ref _total, actions);
        Interlocked.Exchange(ref _totalBytes, bytes);
        Interlocked.Exchange(ref _observeDone, observeDone ? 1 : 0);
    }

    /// <summary>Items already ended by earlier processes (a resumed run) count as done.</summary>
    public void Seen(long ended, long bytes)
    {
        InterlockedMax(ref _done, ended);
        InterlockedMax(ref _bytes, bytes);
    }

    public void Phase(string phase, string? message = null) =>
        Publish(phase, Interlocked.Read(ref _done), Interlocked.Read(ref _bytes), null, message);

    private void Publish(string phase, long done, long bytes, string? path, string? message) =>
        host?.Report(new SyncProgress(phase, done, Interlocked.Read(ref _total), bytes, Interlocked.Read(ref _totalBytes), Volatile.Read(ref _observeDone) == 1, path, message));

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
