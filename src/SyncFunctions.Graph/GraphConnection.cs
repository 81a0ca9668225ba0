using System.Net;
using Microsoft.Graph;
using Microsoft.Graph.Authentication;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;
using SyncFunctions.Abstractions;
using SyncFunctions.Abstractions.Network;

namespace SyncFunctions.Graph;

/// <summary>
/// A configured Microsoft Graph client for one base URL: the SDK's <see cref="GraphServiceClient"/> with
/// an Azure Identity token provider, or no token at all for a loopback URL without credentials.
/// </summary>
/// <remarks>
/// <para>Retries: Core owns the single retry layer (Polly, honouring <see cref="StorageException.RetryAfter"/>).
/// The SDK's RetryHandler is therefore REMOVED from the handler chain (not just configured per request), so no
/// request is ever repeated below us: a 429 surfaces at once as <see cref="StorageErrorKind.Throttled"/> and
/// attempt counts stay exact. The RedirectHandler stays: it follows /content's 302 to the download host and drops
/// the Authorization header when the host changes.</para>
/// <para>Upload-session URLs and download URLs are pre-authenticated; they are called through
/// <see cref="ContentHttp"/>, which has the same handlers but never an Authorization header.</para>
/// <para>Timeouts: each request must get its response within the network timeout (<c>HttpClient.Timeout</c>), and
/// connecting has a shorter connect timeout, so an endpoint that never answers fails within the network timeout;
/// a <see cref="ReachabilityHandler"/> above the sockets names such failures (endpoint and cause) for
/// <see cref="GraphErrors"/>.</para>
/// <para>Thread-safe; create one per base URL and credential, dispose at shutdown.</para>
/// </remarks>
public sealed class GraphConnection : IDisposable
{
    /// <summary>The public cloud's Graph v1.0 endpoint.</summary>
    public static readonly Uri DefaultBaseUrl = new("https://graph.microsoft.com/v1.0");

    /// <summary>Default per-request network timeout (until response headers, and whole bodies that are buffered).</summary>
    public static readonly TimeSpan DefaultNetworkTimeout = TimeSpan.FromSeconds(30);

    private GraphConnection(Uri baseUrl, GraphServiceClient client, HttpClient apiHttp, HttpClient contentHttp, bool anonymous, TimeProvider time, TimeSpan networkTimeout)
    {
        NetworkTimeout = networkTimeout;
        BaseUrl = baseUrl;
        Client = client;
        ApiHttp = apiHttp;
        ContentHttp = contentHttp;
        IsAnonymous = anonymous;
        TimeProvider = time;
    }

    /// <summary>The Graph base URL without trailing slash, e.g. https://graph.microsoft.com/v1.0.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The SDK client (retry handler removed).</summary>
    public GraphServiceClient Client { get; }

    /// <summary>True when requests carry no token (loopback without credentials).</summary>
    public bool IsAnonymous { get; }

    /// <summary>Clock for expiries and Retry-After dates.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The per-request network timeout the HTTP clients were built with (also the limit of a streamed delta page).</summary>
    internal TimeSpan NetworkTimeout { get; }

    /// <summary>HTTP client without authentication for pre-authenticated URLs (upload sessions).</summary>
    internal HttpClient ContentHttp { get; }

    private HttpClient ApiHttp { get; }

    /// <summary>
    /// Builds the client. No request is sent.
    /// </summary>
    /// <param name="baseUrl">Graph base URL; null for <see cref="DefaultBaseUrl"/> (national clouds and the loopback server pass theirs).</param>
    /// <param name="credentials">How to get tokens; null or <see cref="GraphCredentials.None"/> only for a loopback URL.</param>
    /// <param name="wrapHandler">Optional hook that wraps the transport handler (tests inject faults with it).</param>
    /// <param name="timeProvider">Clock; the system clock when null.</param>
    /// <param name="networkTimeout">Per-request network timeout (default <see cref="DefaultNetworkTimeout"/>); connects get
    /// <see cref="ReachabilityHandler.ConnectTimeoutFor"/> of it.</param>
    /// <exception cref="StorageException">Authentication: no credentials for a non-loopback URL, or incomplete ones.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="networkTimeout"/> is neither positive nor infinite.</exception>
    public static GraphConnection Create(
        Uri? baseUrl = null,
        GraphCredentials? credentials = null,
        Func<HttpMessageHandler, HttpMessageHandler>? wrapHandler = null,
        TimeProvider? timeProvider = null,
        TimeSpan? networkTimeout = null)
    {
        var url = NormalizeBaseUrl(baseUrl ?? DefaultBaseUrl);
        credentials ??= GraphCredentials.None;
        var timeout = networkTimeout ?? DefaultNetworkTimeout;
        var auth = CreateAuthProvider(url, credentials);
        var apiHttp = CreateHttpClient(wrapHandler, timeout);
        var contentHttp = CreateHttpClient(wrapHandler, timeout);
        var client = new GraphServiceClient(apiHttp, auth, url.ToString().TrimEnd('/'));
        return new GraphConnection(url, client, apiHttp, contentHttp, auth is AnonymousAuthenticationProvider, timeProvider ?? TimeProvider.System, timeout);
    }

    /// <summary>True for http(s) URLs on 127.0.0.0/8, ::1 or localhost.</summary>
    public static bool IsLoopback(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (string.Equals(url.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        ApiHttp.Dispose();
        ContentHttp.Dispose();
    }

    /// <summary>The base URL without secrets, for logs.</summary>
    public override string ToString() => BaseUrl.ToString();

    private static Uri NormalizeBaseUrl(Uri url)
    {
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw new StorageException(StorageErrorKind.Permanent, $"The Graph base URL '{url}' must be an absolute http(s) URL.");
        }

        return new Uri(url.GetLeftPart(UriPartial.Path).TrimEnd('/'));
    }

    private static IAuthenticationProvider CreateAuthProvider(Uri url, GraphCredentials credentials)
    {
        if (!credentials.IsConfigured)
        {
            // A token-less client is only ever pointed at the loopback dev server: never at a real tenant.
            return IsLoopback(url)
                ? new AnonymousAuthenticationProvider()
                : throw new StorageException(
                    StorageErrorKind.Authentication,
                    $"No Graph credentials are configured for {url}. Set AZURE_TENANT_ID and AZURE_CLIENT_ID with " +
                    "AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH, or SYNCFN_GRAPH_MANAGED_IDENTITY=1. " +
                    "Only a loopback Graph URL (127.0.0.1, localhost, [::1]) may be used without credentials.");
        }

        if (credentials.Validate() is { } problem)
        {
            throw new StorageException(StorageErrorKind.Authentication, $"Graph credentials ({credentials}): {problem}");
        }

        // App-only tokens: the ".default" scope of the cloud the base URL belongs to (national clouds differ).
        var scope = $"{url.Scheme}://{url.Authority}/.default";
        return new AzureIdentityAuthenticationProvider(credentials.CreateCredential(), [url.Host], null, true, scope);
    }

    private static HttpClient CreateHttpClient(Func<HttpMessageHandler, HttpMessageHandler>? wrapHandler, TimeSpan timeout)
    {
        var connectTimeout = ReachabilityHandler.ConnectTimeoutFor(timeout);
        var sockets = new SocketsHttpHandler
        {
            // A black-holed address fails within this, and the network timeout then means "connected, no answer".
            ConnectTimeout = connectTimeout,
            MaxConnectionsPerServer = 256,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            UseCookies = false,

            // Kiota's RedirectHandler follows redirects (and scrubs Authorization on a host change).
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate | DecompressionMethods.Brotli,
        };
        var reachability = new ReachabilityHandler(sockets, timeout, connectTimeout);
        var inner = wrapHandler is null ? reachability : wrapHandler(reachability);

        // The single retry layer is Core's: drop the SDK's RetryHandler from the default chain.
        var handlers = GraphClientFactory.CreateDefaultHandlers().Where(h => h is not RetryHandler).ToList();
        var pipeline = GraphClientFactory.CreatePipeline(handlers, inner);
        return new HttpClient(pipeline, disposeHandler: true) { Timeout = timeout };
    }
}
