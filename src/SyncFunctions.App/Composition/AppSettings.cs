using SyncFunctions.Azure;
using SyncFunctions.Graph;

namespace SyncFunctions.App.Composition;

/// <summary>The app's configuration is missing or malformed; the message names the setting, never its value.</summary>
public sealed class AppNotConfiguredException(string message) : Exception(message);

/// <summary>
/// The app's configuration, read from its app settings (environment variables), the same ones the CLI reads:
/// <c>SYNCFN_STORAGE</c> (else the Functions host's <c>AzureWebJobsStorage</c>) for the ledger and blob endpoints,
/// <c>SYNCFN_GRAPH_URL</c> and the Graph credentials (<c>AZURE_TENANT_ID</c>, <c>AZURE_CLIENT_ID</c>, ...), and
/// <c>SYNCFN_PUBLIC_URL</c>, the base of the URLs handed out (default: the request's host).
/// </summary>
/// <param name="StorageConnection">Connection string of the storage account (ledger tables, blob endpoints).</param>
/// <param name="StorageSetting">The setting it came from, for messages.</param>
/// <param name="GraphUrl">Base URL of <c>graph:</c> endpoints.</param>
/// <param name="GraphCredentials">App-only Graph credentials (none: loopback Graph URLs only).</param>
/// <param name="PublicUrl">The base URL of status and terminate URLs; null: the request's.</param>
public sealed record AppSettings(string StorageConnection, string StorageSetting, Uri GraphUrl, GraphCredentials GraphCredentials, Uri? PublicUrl)
{
    public const string StorageVariable = "SYNCFN_STORAGE";
    public const string FunctionsStorageVariable = "AzureWebJobsStorage";
    public const string GraphUrlVariable = "SYNCFN_GRAPH_URL";
    public const string PublicUrlVariable = "SYNCFN_PUBLIC_URL";

    /// <summary>Set by App Service / Functions to the app's default host name: the public URL when none is set.</summary>
    public const string HostNameVariable = "WEBSITE_HOSTNAME";

    /// <summary>Reads and checks the settings (<paramref name="getVariable"/>: the process environment when null).</summary>
    /// <exception cref="AppNotConfiguredException">A setting is missing or malformed.</exception>
    public static AppSettings From(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        var (storage, setting) = Value(getVariable, StorageVariable) is { } own
            ? (own, StorageVariable)
            : (Value(getVariable, FunctionsStorageVariable), FunctionsStorageVariable);
        if (storage is null)
        {
            throw new AppNotConfiguredException($"set {StorageVariable} (or {FunctionsStorageVariable}) to the connection string of the storage account");
        }

        if (AzureStorageConnection.Validate(storage) is { } problem)
        {
            throw new AppNotConfiguredException($"{setting}: {problem}");
        }

        GraphCredentials credentials;
        try
        {
            credentials = GraphCredentials.FromEnvironment(getVariable);
        }
        catch (UriFormatException e)
        {
            throw new AppNotConfiguredException($"AZURE_AUTHORITY_HOST: {e.Message}");
        }

        return new AppSettings(
            storage, setting, Url(getVariable, GraphUrlVariable) ?? GraphConnection.DefaultBaseUrl, credentials, Url(getVariable, PublicUrlVariable) ?? HostUrl(getVariable));
    }

    /// <summary>https://HOST of <see cref="HostNameVariable"/>, or null (not in Azure, or not a plain host name).</summary>
    private static Uri? HostUrl(Func<string, string?> getVariable) =>
        Value(getVariable, HostNameVariable) is { } host && Uri.CheckHostName(host.Split(':')[0]) != UriHostNameType.Unknown && Uri.TryCreate("https://" + host, UriKind.Absolute, out var url) && url.PathAndQuery == "/"
            ? new Uri(url.GetLeftPart(UriPartial.Authority))
            : null;

    private static string? Value(Func<string, string?> getVariable, string name) =>
        getVariable(name) is { } text && !string.IsNullOrWhiteSpace(text) ? text.Trim() : null;

    private static Uri? Url(Func<string, string?> getVariable, string name)
    {
        if (Value(getVariable, name) is not { } text)
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            throw new AppNotConfiguredException($"{name}: '{text}' is not an absolute http(s) URL without query");
        }

        return new Uri(url.GetLeftPart(UriPartial.Path).TrimEnd('/'));
    }
}
