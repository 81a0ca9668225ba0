using SyncFunctions.Abstractions.Endpoints;
using SyncFunctions.Cli.Commands;
using SyncFunctions.Graph;

namespace SyncFunctions.Cli.Hosting;

/// <summary>
/// The Microsoft Graph base URLs of a command's endpoints (options, else $SYNCFN_GRAPH_URL, else the public
/// cloud) and the credentials from the environment, checked before anything is contacted.
/// </summary>
/// <param name="SourceUrl">Base URL of a <c>graph:</c> source.</param>
/// <param name="DestinationUrl">Base URL of a <c>graph:</c> destination (differs only with --destination-graph-url).</param>
/// <param name="Credentials">App-only credentials from the environment (none configured is allowed for loopback URLs only).</param>
internal sealed record GraphChoice(Uri SourceUrl, Uri DestinationUrl, GraphCredentials Credentials)
{
    /// <summary>The environment variable read when no --graph-url is given.</summary>
    public const string UrlVariable = "SYNCFN_GRAPH_URL";

    /// <summary>
    /// Reads the options and the environment (<c>getVariable</c>: tests pass a dictionary; the process environment
    /// when null); throws <see cref="UsageException"/> naming the option or variable that holds a malformed setting.
    /// </summary>
    public static GraphChoice From(string? urlOption, string? sourceUrlOption, string? destinationUrlOption, Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        var fromEnvironment = getVariable(UrlVariable) is { Length: > 0 } value ? value : null;
        var common = ParseUrl(urlOption, "--graph-url")
            ?? ParseUrl(fromEnvironment, "$" + UrlVariable)
            ?? GraphConnection.DefaultBaseUrl;
        GraphCredentials credentials;
        try
        {
            credentials = GraphCredentials.FromEnvironment(getVariable);
        }
        catch (UriFormatException e)
        {
            throw new UsageException($"$AZURE_AUTHORITY_HOST: {e.Message}", e);
        }

        return new GraphChoice(
            ParseUrl(sourceUrlOption, "--source-graph-url") ?? common,
            ParseUrl(destinationUrlOption, "--destination-graph-url") ?? common,
            credentials);
    }

    /// <summary>The base URL for an endpoint in the given role.</summary>
    public Uri UrlFor(bool isSource) => isSource ? SourceUrl : DestinationUrl;

    /// <summary>
    /// Puts a <c>graph:</c> endpoint at the base URL of its role and checks that the URL may be called: a non-loopback
    /// URL needs configured, complete credentials. Other endpoints pass as they are.
    /// </summary>
    /// <exception cref="UsageException">No usable credentials for a non-loopback URL.</exception>
    public SyncEndpoint Check(SyncEndpoint endpoint, bool isSource)
    {
        if (endpoint.Scheme != GraphEndpointScheme.SchemeName)
        {
            return endpoint;
        }

        var role = isSource ? "source" : "destination";
        var url = UrlFor(isSource);
        if (!Credentials.IsConfigured && !GraphConnection.IsLoopback(url))
        {
            throw new UsageException(
                $"{role} '{endpoint}': no Graph credentials are configured for {url}. Set AZURE_TENANT_ID and AZURE_CLIENT_ID with " +
                "AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH (+ AZURE_CLIENT_CERTIFICATE_PASSWORD), or SYNCFN_GRAPH_MANAGED_IDENTITY=1; " +
                "only a loopback --graph-url (127.0.0.1, localhost, [::1], e.g. a 'syncfn graph-dev' server) works without credentials.");
        }

        if (Credentials.Validate() is { } problem)
        {
            throw new UsageException($"Graph credentials ({Credentials}): {problem}");
        }

        return endpoint with { Account = url };
    }

    private static Uri? ParseUrl(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
            || url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            throw new UsageException($"{name}: '{text}' is not an absolute http(s) URL such as https://graph.microsoft.com/v1.0");
        }

        return new Uri(url.GetLeftPart(UriPartial.Path).TrimEnd('/'));
    }
}
