using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Transfer;

/// <summary>A read-only pass-through that counts the bytes read.</summary>
internal sealed class CountingStream(Stream inner) : ReadOnlyForwardStream
{
    private long _read;

    public long BytesRead => Interlocked.Read(ref _read);

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        Interlocked.Add(ref _read, n);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _read, n);
        return n;
    }
}
