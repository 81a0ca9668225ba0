using System.Text;

namespace SyncFunctions.Cli.Output;

/// <summary>
/// A writer that puts <c>prefix</c> before every line and hands the target only whole lines, each in one write: the
/// output of several pairs synced at once (<c>sync --all</c>) shares stdout and stderr without two pairs' text ever
/// mixing inside a line.
/// </summary>
/// <remarks>
/// Thread-safe: any number of threads may write; an unfinished line is collected per writer and per thread (a line
/// written in pieces by one thread stays whole while other threads write theirs), and it reaches the target once its
/// newline arrives, under a lock on the target (writers of other pairs lock the same target). <see cref="Flush"/> keeps
/// unfinished lines back; disposing writes each out as a line of its own.
/// </remarks>
internal sealed class PrefixedLineWriter(TextWriter target, string prefix) : TextWriter
{
    private readonly ThreadLocal<StringBuilder> _pending = new(() => new StringBuilder(), trackAllValues: true);
    private readonly object _gate = new();
    private bool _disposed;

    public override Encoding Encoding => target.Encoding;

    public override void Write(char value) => Append([value]);

    public override void Write(string? value) => Append(value.AsSpan());

    public override void Write(char[] buffer, int index, int count) => Append(buffer.AsSpan(index, count));

    public override void Write(ReadOnlySpan<char> buffer) => Append(buffer);

    public override void WriteLine(string? value) => Append(string.Concat(value, "\n").AsSpan());

    public override void WriteLine() => Append("\n");

    /// <summary>Whole lines are already written; an unfinished one waits for its end (or for <see cref="Dispose(bool)"/>).</summary>
    public override void Flush()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                if (!_disposed)
                {
                    foreach (var pending in _pending.Values.Where(p => p.Length > 0))
                    {
                        Emit(pending.ToString());
                        pending.Clear();
                    }

                    _pending.Dispose();
                }

                _disposed = true;
            }
        }

        base.Dispose(disposing);
    }

    private void Append(ReadOnlySpan<char> text)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                // A late write (a log line after the pair ended): out at once, never lost and never a crash.
                if (!text.IsEmpty)
                {
                    Emit(text.TrimEnd('\n').ToString());
                }

                return;
            }

            var pending = _pending.Value!;
            while (!text.IsEmpty)
            {
                var end = text.IndexOf('\n');
                if (end < 0)
                {
                    pending.Append(text);
                    return;
                }

                pending.Append(text[..end]);
                Emit(pending.ToString());
                pending.Clear();
                text = text[(end + 1)..];
            }
        }
    }

    private void Emit(string line)
    {
        var text = prefix + line.TrimEnd('\r') + "\n";
        lock (target)
        {
            target.Write(text);
            target.Flush();
        }
    }
}
