namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>Counting waits and a snapshot of stderr, for tests that act after the n-th log line of a kind.</summary>
public sealed partial class CliRunner
{
    /// <summary>
    /// Waits for the <paramref name="count"/>-th stderr line matching <paramref name="match"/> (lines already printed count
    /// too); false when the process ended before printing that many. A timeout kills the child and fails.
    /// </summary>
    public async Task<bool> WaitForStderrCountAsync(Func<string, bool> match, int count, TimeSpan? timeout = null)
    {
        var waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var seen = _stderrLines.Count(match);
            if (seen >= count)
            {
                return true;
            }

            // Called under the gate, once per new line.
            _waiters.Add((line => match(line) && ++seen >= count, waiter));
        }

        var finished = await Task.WhenAny(waiter.Task, _readers, Task.Delay(timeout ?? DefaultTimeout));
        if (finished == waiter.Task)
        {
            return true;
        }

        if (finished == _readers)
        {
            return waiter.Task.IsCompleted;
        }

        Kill();
        throw new TimeoutException($"fewer than {count} matching stderr lines (timed out); output so far:\n{Output()}");
    }

    /// <summary>The stderr lines printed so far.</summary>
    public IReadOnlyList<string> StderrLines()
    {
        lock (_gate)
        {
            return [.. _stderrLines];
        }
    }
}
