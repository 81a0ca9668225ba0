using SyncFunctions.Abstractions;
using SyncFunctions.Abstractions.Hashing;

namespace SyncFunctions.Core.Transfer;

/// <summary>Checks transferred bytes against the hashes the source reported (Graph's QuickXorHash, SHA-256).</summary>
internal static class Integrity
{
    /// <summary>Null when the bytes match what the source reported (or it reported nothing), else why not.</summary>
    public static string? Check(ActionRecord a, ReadOnlySpan<byte> content, string sha256)
    {
        if (a.SourceSha256 is { } expected && !string.Equals(expected, sha256, StringComparison.OrdinalIgnoreCase))
        {
            return $"integrity check failed: SHA-256 {sha256} differs from the source's {expected}";
        }

        if (a.SourceQuickXorHash is { } quick)
        {
            var actual = QuickXorHash.HashToBase64(content);
            if (!string.Equals(actual, quick, StringComparison.Ordinal))
            {
                return $"integrity check failed: QuickXorHash {actual} differs from the source's {quick}";
            }
        }

        return null;
    }

    /// <summary>The same check for a stream (a finished download), read once.</summary>
    public static async Task<string?> CheckQuickXorAsync(ActionRecord a, Func<Task<Stream>> open, CancellationToken cancellationToken)
    {
        if (a.SourceQuickXorHash is not { } quick)
        {
            return null;
        }

        var stream = await open().ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var actual = await QuickXorHash.HashToBase64Async(stream, cancellationToken).ConfigureAwait(false);
            return string.Equals(actual, quick, StringComparison.Ordinal) ? null : $"integrity check failed: QuickXorHash {actual} differs from the source's {quick}";
        }
    }
}
