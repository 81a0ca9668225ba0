namespace SyncFunctions.Abstractions;

/// <summary>
/// The one base of the forward-only, read-only streams the stores and the engine hand out (bounded, hashing,
/// counting, resuming, classifying wrappers): not seekable, not writable, nothing to flush. A subclass implements
/// <see cref="Stream.Read(byte[], int, int)"/> and <see cref="ReadAsync(Memory{byte}, CancellationToken)"/>, and
/// <see cref="Length"/> / <see cref="Position"/> when it knows them.
/// </summary>
public abstract class ReadOnlyForwardStream : Stream
{
    public sealed override bool CanRead => true;

    public sealed override bool CanSeek => false;

    public sealed override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public sealed override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public sealed override void Flush()
    {
    }

    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public sealed override void SetLength(long value) => throw new NotSupportedException();

    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
