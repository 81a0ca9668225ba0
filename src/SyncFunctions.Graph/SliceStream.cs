using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph;

/// <summary>
/// A read-only view of a download: skips <c>skip</c> bytes first (a server that ignored Range), stops after
/// <c>length</c> bytes, and turns network failures while reading into classified <see cref="Abstractions.StorageException"/>s.
/// Not thread-safe (like any stream).
/// </summary>
internal sealed class SliceStream(Stream inner, long skip, long? length, string what, TimeProvider time, bool leaveOpen = false) : ReadOnlyForwardStream
{
    private long _toSkip = skip;
    private long? _left = length;

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        try
        {
            while (_toSkip > 0)
            {
                var skipped = inner.Read(new byte[(int)Math.Min(_toSkip, 81920)]);
                _toSkip = skipped == 0 ? 0 : _toSkip - skipped;
                _left = skipped == 0 ? 0 : _left;
            }

            if (_left is <= 0 || count == 0)
            {
                return 0;
            }

            var read = inner.Read(buffer, offset, _left is { } left ? (int)Math.Min(count, left) : count);
            _left -= read;
            return read;
        }
        catch (Exception e) when (GraphErrors.ShouldClassify(e, CancellationToken.None))
        {
            throw GraphErrors.Classify(e, what, time);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await SkipAsync(cancellationToken).ConfigureAwait(false);
            if (_left is <= 0 || buffer.IsEmpty)
            {
                return 0;
            }

            var want = _left is { } left ? (int)Math.Min(buffer.Length, left) : buffer.Length;
            var read = await inner.ReadAsync(buffer[..want], cancellationToken).ConfigureAwait(false);
            _left -= read;
            return read;
        }
        catch (Exception e) when (GraphErrors.ShouldClassify(e, cancellationToken))
        {
            throw GraphErrors.Classify(e, what, time);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (!leaveOpen)
        {
            await inner.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task SkipAsync(CancellationToken cancellationToken)
    {
        if (_toSkip == 0)
        {
            return;
        }

        var scratch = new byte[(int)Math.Min(_toSkip, 81920)];
        while (_toSkip > 0)
        {
            var read = await inner.ReadAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, _toSkip)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _left = 0;
                break;
            }

            _toSkip -= read;
        }

        _toSkip = 0;
    }
}
