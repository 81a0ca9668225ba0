using System.Security.Cryptography;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Stores;

/// <summary>
/// A forward-only read-through stream that computes the SHA-256 of every byte read, so content is
/// hashed while it streams to the destination instead of being read twice.
/// </summary>
/// <remarks>Not thread-safe (like any stream). Disposing it disposes the inner stream.</remarks>
public sealed class HashingReadStream : ReadOnlyForwardStream
{
    private readonly Stream _inner;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly bool _leaveOpen;
    private string? _hex;
    private bool _ended;

    public HashingReadStream(Stream inner, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Bytes read so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>True once a read returned 0 (the inner stream is exhausted).</summary>
    public bool Completed => _ended;

    public override long Length => _inner.Length;

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// Lower-case hex SHA-256 of the bytes read. Reads nothing itself: call it after reading to the end
    /// (for a hash of a prefix, call it earlier; reading further afterwards is an error).
    /// </summary>
    public string GetHashHex() => _hex ??= Convert.ToHexStringLower(_hash.GetHashAndReset());

    /// <summary>Reads <paramref name="content"/> to its end and returns its lower-case hex SHA-256 (the stream is left open).</summary>
    public static async Task<string> ComputeHexAsync(Stream content, CancellationToken cancellationToken)
    {
        using var hashing = new HashingReadStream(content, leaveOpen: true);
        return await hashing.ReadToEndAndGetHashAsync(cancellationToken);
    }

    /// <summary>Reads and hashes whatever is left (e.g. after a consumer stopped early), then returns the hash.</summary>
    public async Task<string> ReadToEndAndGetHashAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        while (await ReadAsync(buffer, cancellationToken) > 0)
        {
        }

        return GetHashHex();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer);
        Append(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _inner.ReadAsync(buffer, cancellationToken);
        Append(buffer.Span[..n]);
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            if (!_leaveOpen)
            {
                _inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_hex is not null && data.Length > 0)
        {
            throw new InvalidOperationException("the hash was already taken; no more bytes can be read");
        }

        if (data.Length == 0)
        {
            _ended = true;
            return;
        }

        _hash.AppendData(data);
        BytesRead += data.Length;
    }
}
