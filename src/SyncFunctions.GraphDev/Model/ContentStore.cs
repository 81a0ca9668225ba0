using SyncFunctions.Abstractions.Hashing;
using System.Security.Cryptography;

namespace SyncFunctions.GraphDev.Model;

/// <summary>
/// Where uploaded content lives: in memory, or as files under <c>DATA/content</c> when the server has a
/// data folder. Content is staged (hashed while it arrives) and sealed into an immutable blob only
/// when complete, so an interrupted upload never becomes visible. Thread-safe (no shared state).
/// </summary>
internal sealed class ContentStore
{
    private readonly string? _directory;

    public ContentStore(string? dataDir)
    {
        if (dataDir is not null)
        {
            _directory = Path.Combine(dataDir, "content");
            Directory.CreateDirectory(_directory);
        }
    }

    public ContentBlob FromBytes(ReadOnlySpan<byte> data)
    {
        using var staging = BeginStaging();
        staging.Append(data);
        return staging.Seal();
    }

    public StagingBuffer BeginStaging() => new(_directory);

    /// <summary>Deletes a sealed blob that never got attached to an item (the write that made it failed).</summary>
    public static void Discard(ContentBlob blob)
    {
        if (blob is FileBlob { References: 0 } file)
        {
            File.Delete(file.Path);
        }
    }

    /// <summary>A persisted blob found while replaying the journal.</summary>
    public FileBlob Existing(string fileName, long length, ContentHashes? hashes) =>
        new(Path.Combine(_directory ?? throw new InvalidOperationException("No data folder."), fileName), length, hashes);
}

/// <summary>Content being received: appended in order, hashed on the way, sealed once.</summary>
internal sealed class StagingBuffer : IDisposable
{
    private readonly QuickXorHash _quickXor = new();
#pragma warning disable CA5350 // Graph reports sha1Hash; it is an integrity value here, not a security control.
    private readonly IncrementalHash _sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
#pragma warning restore CA5350
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly string? _path;
    private readonly Stream _target;
    private bool _sealed;

    public StagingBuffer(string? directory)
    {
        if (directory is null)
        {
            _target = new MemoryStream();
        }
        else
        {
            _path = Path.Combine(directory, Guid.NewGuid().ToString("N"));
            _target = new FileStream(_path + ".part", FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920);
        }
    }

    public long Length { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        _target.Write(data);
        _quickXor.Append(data);
        _sha1.AppendData(data);
        _sha256.AppendData(data);
        Length += data.Length;
    }

    /// <summary>Copies the rest of <paramref name="source"/>; 413 when it grows past <paramref name="maxBytes"/>.</summary>
    public async Task AppendAsync(Stream source, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (Length + read > maxBytes)
            {
                throw new GraphDevException(413, "requestTooLarge", $"The content is larger than {maxBytes} bytes; use an upload session.");
            }

            Append(buffer.AsSpan(0, read));
        }
    }

    public ContentBlob Seal()
    {
        _sealed = true;
        var hashes = new ContentHashes(
            Convert.ToBase64String(_quickXor.GetDigest()),
            Convert.ToHexString(_sha1.GetHashAndReset()),
            Convert.ToHexString(_sha256.GetHashAndReset()));
        if (_target is MemoryStream memory)
        {
            return new MemoryBlob(memory.GetBuffer(), (int)memory.Length, hashes);
        }

        _target.Dispose();
        File.Move(_path + ".part", _path!);
        return new FileBlob(_path!, Length, hashes);
    }

    public void Dispose()
    {
        _target.Dispose();
        _quickXor.Dispose();
        _sha1.Dispose();
        _sha256.Dispose();
        if (!_sealed && _path is not null)
        {
            File.Delete(_path + ".part");
        }
    }
}
