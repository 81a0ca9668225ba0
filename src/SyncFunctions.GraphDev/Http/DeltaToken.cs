using System.Globalization;
using System.Text;
using SyncFunctions.GraphDev.Model;

namespace SyncFunctions.GraphDev.Http;

/// <summary>
/// Opaque delta tokens: the cursor plus the request's <c>$top</c>/<c>$select</c>, which Graph bakes into
/// nextLink/deltaLink so the client need not repeat them.
/// </summary>
internal static class DeltaToken
{
    private const string Version = "1";

    public static string Encode(DeltaCursor cursor, int top, string? select)
    {
        var text = string.Join(
            '|',
            Version,
            cursor.Epoch.ToString(CultureInfo.InvariantCulture),
            cursor.RoundStart.ToString(CultureInfo.InvariantCulture),
            cursor.Position.ToString(CultureInfo.InvariantCulture),
            cursor.IssuedAt.ToString(CultureInfo.InvariantCulture),
            top.ToString(CultureInfo.InvariantCulture),
            select ?? "");
        return UrlSigner.Base64Url(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Decodes a token; false for anything this server did not issue (answered with 410).</summary>
    public static bool TryDecode(string token, out DeltaCursor cursor, out int top, out string? select)
    {
        cursor = default;
        top = 0;
        select = null;
        if (UrlSigner.FromBase64Url(token) is not { } bytes)
        {
            return false;
        }

        var parts = Encoding.UTF8.GetString(bytes).Split('|', 7);
        if (parts.Length != 7 || parts[0] != Version ||
            !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var epoch) ||
            !long.TryParse(parts[2], CultureInfo.InvariantCulture, out var roundStart) ||
            !long.TryParse(parts[3], CultureInfo.InvariantCulture, out var position) ||
            !long.TryParse(parts[4], CultureInfo.InvariantCulture, out var issued) ||
            !int.TryParse(parts[5], CultureInfo.InvariantCulture, out top))
        {
            return false;
        }

        cursor = new DeltaCursor(epoch, roundStart, position, issued);
        select = parts[6].Length == 0 ? null : parts[6];
        return true;
    }
}
