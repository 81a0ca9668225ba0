using System.Text;

namespace SyncFunctions.Cli.Output;

/// <summary>
/// A writer that puts <c>prefix</c> before every line and hands the target only whole lines, each in one write: the
/// output of several pairs synced at once (<c>sync --all</c>) shares stdout and stderr without two pairs' text ever
/// mixing inside a line.
/// </summary>
/// <remarks>
/// Thread-safe: any number of threads may write; text is collected per writer and a line reaches the target once its
/// newline arrives, under a lock on the target (writers of other pairs lock the same target). <see cref="Flush"/> keeps
/// an unfinished line back; disposing writes it out as a line of its own.
/// </remarks>
internal sealed class PrefixedLineWriter(TextWriter target, string prefix) : TextWriter
{
    private readonly StringBuilder _pending = new();
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
                if (!_disposed && _pending.Length > 0)
                {
                    Emit(_pending.ToString());
                    _pending.Clear();
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
            while (!text.IsEmpty)
            {
                var end = text.IndexOf('\n');
                if (end < 0)
                {
                    _pending.Append(text);
                    return;
                }

                _pending.Append(text[..end]);
                Emit(_pending.ToString());
                _pending.Clear();
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
