using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph;

/// <summary>A response body that disposes its <see cref="HttpResponseMessage"/> (and so its connection) with it.</summary>
internal sealed class ResponseStream(Stream body, HttpResponseMessage response) : ReadOnlyForwardStream
{
    public override int Read(byte[] buffer, int offset, int count) => body.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        body.ReadAsync(buffer, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            body.Dispose();
            response.Dispose();
        }

        base.Dispose(disposing);
    }
}
