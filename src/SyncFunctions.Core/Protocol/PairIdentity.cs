using System.Security.Cryptography;
using System.Text;

namespace SyncFunctions.Core.Protocol;

/// <summary>Pair ids: a hash of the canonical endpoints, so <c>./d</c> and <c>/abs/d</c> are one pair.</summary>
public static class PairIdentity
{
    /// <summary>The id of the pair of two canonical endpoints: the first 32 hex digits of the SHA-256 of both, newline-separated.</summary>
    public static string Compute(string canonicalSource, string canonicalDestination)
    {
        var bytes = Encoding.UTF8.GetBytes(canonicalSource + "\n" + canonicalDestination);
        return Convert.ToHexStringLower(SHA256.HashData(bytes))[..32];
    }
}
