using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Retry;

/// <summary>
/// A forward-only read of an object that survives a retryable failure in the middle of its body: the object is opened
/// again at the byte where the read stopped (a ranged read), within the retry policy's attempts.
/// </summary>
/// <remarks>Not thread-safe (one reader), like any stream. Disposing it disposes the current inner stream.</remarks>
internal sealed class ResumingReadStream(Stream first, Func<long, long?, CancellationToken, Task<Stream>> open, long offset, long? length, RetryPolicy policy) : ReadOnlyForwardStream
{
    private Stream? _current = first;
    private long _read;

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0 || (length is { } total && _read >= total))
        {
            return 0;
        }

        var n = await policy.ExecuteAsync(
            async ct =>
            {
                _current ??= await open(offset + _read, length - _read, ct).ConfigureAwait(false);
                try
                {
                    return await _current.ReadAsync(buffer, ct).ConfigureAwait(false);
                }
                catch (StorageException ex) when (ex.IsRetryable)
                {
                    await _current.DisposeAsync().ConfigureAwait(false);
                    _current = null;
                    throw;
                }
            },
            cancellationToken).ConfigureAwait(false);
        _read += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current?.Dispose();
            _current = null;
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_current is not null)
        {
            await _current.DisposeAsync().ConfigureAwait(false);
            _current = null;
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}
