using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Chunking;

/// <summary>
/// Serves <paramref name="data"/> in reads no longer than the next of <paramref name="readSizes"/> (cycled), as a
/// network stream may; every <paramref name="yieldEvery"/>-th read completes asynchronously (0: never).
/// </summary>
internal sealed class ShortReadStream(byte[] data, IReadOnlyList<int> readSizes, int yieldEvery = 0) : ReadOnlyForwardStream
{
    private int _position;
    private int _reads;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var size = readSizes[_reads++ % readSizes.Count];
        var n = Math.Min(Math.Min(size, buffer.Length), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (yieldEvery > 0 && _reads % yieldEvery == yieldEvery - 1)
        {
            await Task.Yield();
        }

        return Read(buffer.Span);
    }
}
