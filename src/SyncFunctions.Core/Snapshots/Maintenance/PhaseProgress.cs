namespace SyncFunctions.Core.Snapshots.Maintenance;

/// <summary>
/// Counts one phase's objects and reports every <see cref="Every"/>th (and the last) to the caller's progress.
/// Thread-safe: reports go out one at a time, with counts that never go down.
/// </summary>
internal sealed class PhaseProgress
{
    private const int Every = 64;

    private readonly object _gate = new();
    private readonly IProgress<VerifyProgress>? _progress;
    private readonly VerifyPhase _phase;
    private long _done;
    private long _total;
    private long _reported = -1;

    public PhaseProgress(IProgress<VerifyProgress>? progress, VerifyPhase phase, long total)
    {
        _progress = progress;
        _phase = phase;
        _total = total;
        Report(force: true);
    }

    /// <summary>Adds objects found while the phase runs (subtrees).</summary>
    public void Add(long count) => Interlocked.Add(ref _total, count);

    /// <summary>One more object done.</summary>
    public void Step()
    {
        var done = Interlocked.Increment(ref _done);
        if (done % Every == 0)
        {
            Report(force: false);
        }
    }

    /// <summary>The phase is over: reports its final counts.</summary>
    public void Finish() => Report(force: false);

    private void Report(bool force)
    {
        if (_progress is null)
        {
            return;
        }

        lock (_gate)
        {
            var done = Interlocked.Read(ref _done);
            if (!force && done <= _reported)
            {
                return;
            }

            _reported = done;
            _progress.Report(new VerifyProgress(_phase, done, Math.Max(done, Interlocked.Read(ref _total))));
        }
    }
}
