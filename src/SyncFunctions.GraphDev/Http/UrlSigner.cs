using System.Security.Cryptography;
using System.Text;

namespace SyncFunctions.GraphDev.Http;

/// <summary>
/// Stateless "pre-authenticated" download URLs: <c>/_download/{item}/{contentSeq}/{expiry}/{mac}</c>
/// with an HMAC under a per-server random key. A delta page of 1,000 files mints 1,000 URLs, so they
/// must cost no server memory; the content sequence pins the version the URL was issued for.
/// Thread-safe.
/// </summary>
internal sealed class UrlSigner
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string Sign(string itemId, long contentSeq, long expiresUnix)
    {
        var payload = Encoding.UTF8.GetBytes($"{itemId}|{contentSeq}|{expiresUnix}");
        var mac = HMACSHA256.HashData(_key, payload);
        return Base64Url(mac.AsSpan(0, 16));
    }

    public bool Verify(string itemId, long contentSeq, long expiresUnix, string mac) =>
        CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Sign(itemId, contentSeq, expiresUnix)), Encoding.ASCII.GetBytes(mac));

    public static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[]? FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded = padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '=');
        var buffer = new byte[padded.Length];
        return Convert.TryFromBase64String(padded, buffer, out var written) ? buffer[..written] : null;
    }
}
