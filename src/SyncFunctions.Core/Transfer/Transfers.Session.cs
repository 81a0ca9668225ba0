using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Transfer;

internal sealed partial class Transfers
{
    private const string SessionPrefix = "session:";

    /// <summary>
    /// Uploads through an upload session (Graph): fragments in order, a multiple of the service's unit. The
    /// session URL and the bytes done are checkpointed after every fragment, so after a crash the upload
    /// resumes at the byte the session expects next; a new session starts only when the old one expired.
    /// </summary>
    private async Task<ActionRecord> SessionUploadAsync(ActionRecord a, IUploadSessionWriter writer, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        var fragment = Math.Max(writer.FragmentMultiple, ctx.Options.ChunkSize / writer.FragmentMultiple * writer.FragmentMultiple);
        var session = ParseSession(a.Checkpoint);
        long? offset = null;
        if (session is not null)
        {
            offset = await writer.GetNextExpectedOffsetAsync(session, cancellationToken).ConfigureAwait(false);
        }

        if (offset is null)
        {
            var options = Conditions(a, null);
            session = await writer.CreateUploadSessionAsync(a.Path, options, cancellationToken).ConfigureAwait(false);
            offset = 0;
            a = await checkpoint(a with { Checkpoint = FormatSession(session), BytesDone = 0 }, cancellationToken).ConfigureAwait(false);
        }
        else if (offset > 0)
        {
            Logs.UploadResumed(ctx.Log, a.Path, offset.Value);
            ctx.AddResumedBytes(offset.Value);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent((int)fragment);
        try
        {
            var source = await OpenSourceAsync(a, 0, null, cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                var position = 0L;
                WriteResult? result = null;
                while (result is null)
                {
                    var length = (int)Math.Min(fragment, a.SourceSize - position);
                    await source.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                    hash.AppendData(buffer, 0, length);
                    if (position + length <= offset.Value && position + length < a.SourceSize)
                    {
                        position += length; // already received by the session before the crash
                        continue;
                    }

                    var start = position;
                    using (var body = new MemoryStream(buffer, 0, length, writable: false))
                    {
                        result = await writer.UploadFragmentAsync(session!, start, a.SourceSize, body, cancellationToken).ConfigureAwait(false);
                    }

                    ctx.AddBytesTransferred(length);
                    position += length;
                    Logs.ChunkStaged(ctx.Log, (int)(position / fragment) + (position % fragment > 0 ? 1 : 0), (int)((a.SourceSize + fragment - 1) / fragment), a.Path);
                    if (result is null)
                    {
                        a = await checkpoint(a with { BytesDone = position }, cancellationToken).ConfigureAwait(false);
                    }
                }

                ctx.AddTransferred();
                return Done(a, result.ETag, Convert.ToHexStringLower(hash.GetHashAndReset()), a.SourceSize) with { Checkpoint = null };
            }
        }
        catch (EndOfStreamException ex)
        {
            throw new StorageException(StorageErrorKind.Transient, $"'{a.Path}' got shorter while it was read", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string FormatSession(UploadSession session) =>
        SessionPrefix + session.ExpiresAt.UtcTicks.ToString(CultureInfo.InvariantCulture) + ":" + session.Url.AbsoluteUri;

    private UploadSession? ParseSession(string? checkpoint)
    {
        if (checkpoint is null || !checkpoint.StartsWith(SessionPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = checkpoint[SessionPrefix.Length..];
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !long.TryParse(rest[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) || !Uri.TryCreate(rest[(colon + 1)..], UriKind.Absolute, out var url))
        {
            return null;
        }

        var expires = new DateTimeOffset(ticks, TimeSpan.Zero);
        return expires <= ctx.Now ? null : new UploadSession(url, expires);
    }
}
