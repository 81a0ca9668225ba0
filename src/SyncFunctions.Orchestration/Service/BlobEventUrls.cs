namespace SyncFunctions.Orchestration.Service;

/// <summary>
/// A storage account as blob events name it (<paramref name="ServiceEndpoint"/>, the blob service URL in the events'
/// <c>data.url</c>) and as pairs' canonical endpoints name it (<paramref name="Identity"/>): the same URL, or the
/// stand-in a composition root chose for an account whose address changes (the embedded Azurite's ports).
/// </summary>
public sealed record BlobAccountAlias(Uri ServiceEndpoint, Uri Identity);

/// <summary>
/// Blob URLs of events (<c>http://127.0.0.1:PORT/devstoreaccount1/container/path</c>,
/// <c>https://acct.blob.core.windows.net/container/path</c>) in the form of canonical blob endpoints
/// (<c>blob:ACCOUNT/CONTAINER/PATH</c>, ACCOUNT being the account's URL up to its path, without a trailing slash), so a
/// pair whose source is <c>blob:ACCOUNT/CONTAINER[/PREFIX]</c> matches by a segment-wise prefix.
/// </summary>
/// <remarks>Pure functions. The path is read as sent (no dot-segment resolution) and unescaped, so a '..' stays visible to the path rules.</remarks>
public static class BlobEventUrls
{
    private const string Scheme = "blob:";

    /// <summary>The canonical form of the blob at <paramref name="url"/>, or null with the problem.</summary>
    public static string? Canonical(string? url, IReadOnlyList<BlobAccountAlias> aliases, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(aliases);
        problem = null;
        if (string.IsNullOrEmpty(url) || url.Length > 4096)
        {
            problem = "a blob event without a url of at most 4096 characters";
            return null;
        }

        var separator = url.IndexOf("://", StringComparison.Ordinal);
        var pathStart = separator < 0 ? -1 : url.IndexOf('/', separator + 3);
        if (separator <= 0 || pathStart < 0
            || !Uri.TryCreate(url[..pathStart] + "/", UriKind.Absolute, out var authority)
            || authority.Scheme is not ("http" or "https")
            || authority.AbsolutePath != "/" || authority.UserInfo.Length > 0)
        {
            problem = "a blob event's url is not an absolute http(s) URL of a blob";
            return null;
        }

        var pathEnd = url.IndexOfAny(['?', '#'], pathStart);
        var rawPath = pathEnd < 0 ? url[pathStart..] : url[pathStart..pathEnd];
        var text = authority.GetLeftPart(UriPartial.Authority) + Uri.UnescapeDataString(rawPath);
        foreach (var alias in aliases.OrderByDescending(a => AccountText(a.ServiceEndpoint).Length))
        {
            var endpoint = AccountText(alias.ServiceEndpoint);
            if (text.StartsWith(endpoint + "/", StringComparison.Ordinal))
            {
                return Scheme + AccountText(alias.Identity) + text[endpoint.Length..];
            }
        }

        return Scheme + text;
    }

    /// <summary>
    /// The path of <paramref name="blob"/> (a canonical blob form) below the canonical endpoint <paramref name="source"/>,
    /// or null when the blob is not below it.
    /// </summary>
    public static string? Below(string blob, string source)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(source);
        return blob.Length > source.Length + 1 && blob.StartsWith(source, StringComparison.Ordinal) && blob[source.Length] == '/'
            ? blob[(source.Length + 1)..]
            : null;
    }

    /// <summary>An account's text in canonical forms (as the blob endpoint scheme writes it).</summary>
    private static string AccountText(Uri account) => account.GetLeftPart(UriPartial.Path).TrimEnd('/');
}
