using System.Text.RegularExpressions;

namespace SyncFunctions.Cli;

/// <summary>Removes secrets (account keys, SAS tokens) from text before it is printed or logged.</summary>
internal static partial class Redaction
{
    /// <summary>
    /// Replaces the values of AccountKey=, SharedAccessSignature=, sig= (SAS) and tempauth= (Graph's
    /// pre-authenticated download and upload-session URLs) with <c>***</c>.
    /// </summary>
    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        var result = KeyValueSecret().Replace(text, "$1=***");
        return SasSignature().Replace(result, "$1***");
    }

    [GeneratedRegex(@"(AccountKey|SharedAccessSignature|SharedAccessKey)=[^;\s""']*", RegexOptions.IgnoreCase)]
    private static partial Regex KeyValueSecret();

    [GeneratedRegex(@"([?&;](?:sig|tempauth)=)[^&;\s""']*", RegexOptions.IgnoreCase)]
    private static partial Regex SasSignature();
}
