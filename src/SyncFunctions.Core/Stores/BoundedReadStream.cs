using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Stores;

/// <summary>Reads at most a given number of bytes from an inner stream (a ranged read of a file).</summary>
/// <remarks>Not thread-safe. Disposing it disposes the inner stream unless it was made to leave it open.</remarks>
internal sealed class BoundedReadStream : ReadOnlyForwardStream
{
    private readonly Stream _inner;
    private readonly long _length;
    private readonly bool _leaveOpen;
    private long _position;

    public BoundedReadStream(Stream inner, long length, bool leaveOpen = false)
    {
        _inner = inner;
        _length = length;
        _leaveOpen = leaveOpen;
    }

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer[..Allowed(buffer.Length)]);
        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _inner.ReadAsync(buffer[..Allowed(buffer.Length)], cancellationToken);
        _position += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_leaveOpen)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_leaveOpen)
        {
            await _inner.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    private int Allowed(int requested) => (int)Math.Min(requested, _length - _position);
}
