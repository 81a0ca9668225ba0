using System.Net.Http;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using SyncFunctions.Abstractions.Network;

namespace SyncFunctions.Azure;

/// <summary>
/// A validated storage account connection: the Blob, Table and Queue service clients of one account,
/// sharing one HTTP transport.
/// </summary>
/// <remarks>
/// The connection string is parsed and validated before any request (<see cref="Validate"/> gives the
/// problem without throwing). The account key is never exposed: <see cref="ToString"/> and
/// <see cref="DisplayName"/> show only the account name and blob endpoint.
/// The SDK's own retry is switched off (<c>MaxRetries = 0</c>): Core's retry pipeline owns retries,
/// so the two never stack and attempt counts stay exact. Each request (its upload included) must get its response
/// within the network timeout, and each read of a response body too; connecting has a shorter connect timeout. So
/// an endpoint that never answers fails within the network timeout, and a <see cref="ReachabilityHandler"/> names
/// such failures (endpoint and cause) for classification.
/// Thread-safe; dispose once at shutdown.
/// </remarks>
public sealed class AzureStorageConnection : IDisposable
{
    /// <summary>Default per-request network timeout.</summary>
    public static readonly TimeSpan DefaultNetworkTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _httpClient;
    private readonly TableServiceClient? _tables;
    private readonly QueueServiceClient? _queues;

    private AzureStorageConnection(ConnectionSettings settings, HttpClient httpClient, TimeSpan networkTimeout)
    {
        _httpClient = httpClient;
        NetworkTimeout = networkTimeout;
        AccountName = settings.AccountName;
        BlobEndpoint = settings.BlobEndpoint;
        QueueEndpoint = settings.QueueEndpoint;
        TableEndpoint = settings.TableEndpoint;
        HasAccountKey = settings.AccountKey is not null;
        var transport = new HttpClientTransport(httpClient);

        var blobOptions = Configure(new BlobClientOptions(), transport, networkTimeout);
        var tableOptions = Configure(new TableClientOptions(), transport, networkTimeout);
        var queueOptions = Configure(new QueueClientOptions(), transport, networkTimeout);
        if (settings.AccountKey is { } key)
        {
            var storageKey = new StorageSharedKeyCredential(settings.AccountName, key);
            BlobService = new BlobServiceClient(settings.BlobEndpoint, storageKey, blobOptions);
            _queues = settings.QueueEndpoint is { } q ? new QueueServiceClient(q, storageKey, queueOptions) : null;
            _tables = settings.TableEndpoint is { } t
                ? new TableServiceClient(t, new TableSharedKeyCredential(settings.AccountName, key), tableOptions)
                : null;
        }
        else
        {
            var sas = new AzureSasCredential(settings.SharedAccessSignature!);
            BlobService = new BlobServiceClient(settings.BlobEndpoint, sas, blobOptions);
            _queues = settings.QueueEndpoint is { } q ? new QueueServiceClient(q, sas, queueOptions) : null;
            _tables = settings.TableEndpoint is { } t ? new TableServiceClient(t, sas, tableOptions) : null;
        }
    }

    /// <summary>The per-request network timeout the clients were built with.</summary>
    public TimeSpan NetworkTimeout { get; }

    /// <summary>The storage account name.</summary>
    public string AccountName { get; }

    /// <summary>The Blob service endpoint (part of a pair's identity).</summary>
    public Uri BlobEndpoint { get; }

    public Uri? QueueEndpoint { get; }

    public Uri? TableEndpoint { get; }

    /// <summary>True when the connection holds an account key (it can then sign read SAS URLs for server-side copy).</summary>
    public bool HasAccountKey { get; }

    public BlobServiceClient BlobService { get; }

    /// <summary>The Table service client; throws when the connection string has no table endpoint.</summary>
    public TableServiceClient TableService =>
        _tables ?? throw new InvalidOperationException($"The connection to {DisplayName} has no TableEndpoint.");

    /// <summary>The Queue service client; throws when the connection string has no queue endpoint.</summary>
    public QueueServiceClient QueueService =>
        _queues ?? throw new InvalidOperationException($"The connection to {DisplayName} has no QueueEndpoint.");

    /// <summary>Account and blob endpoint, without any secret.</summary>
    public string DisplayName => $"{AccountName} ({BlobEndpoint})";

    /// <summary>
    /// Parses <paramref name="connectionString"/> and builds the clients. No request is sent.
    /// </summary>
    /// <param name="connectionString">An explicit connection string (AccountName + AccountKey, or SharedAccessSignature, with optional endpoints).</param>
    /// <param name="wrapHandler">Optional hook that wraps the transport handler (tests inject faults with it).</param>
    /// <param name="networkTimeout">Per-request network timeout (default <see cref="DefaultNetworkTimeout"/>); connects get
    /// <see cref="ReachabilityHandler.ConnectTimeoutFor"/> of it.</param>
    /// <exception cref="FormatException">The connection string is invalid; the message names the problem and never the key.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="networkTimeout"/> is neither positive nor infinite.</exception>
    public static AzureStorageConnection Create(
        string connectionString,
        Func<HttpMessageHandler, HttpMessageHandler>? wrapHandler = null,
        TimeSpan? networkTimeout = null)
    {
        var settings = ConnectionStringParser.Parse(connectionString);
        var timeout = networkTimeout ?? DefaultNetworkTimeout;
        var connectTimeout = ReachabilityHandler.ConnectTimeoutFor(timeout);
        var sockets = new SocketsHttpHandler
        {
            // A black-holed address fails within this, and a network timeout then means "connected, no answer".
            ConnectTimeout = connectTimeout,

            // Many workers share one account: the default of unlimited is fine for HTTP/1.1, but bound it so a
            // runaway fan-out cannot exhaust local ports.
            MaxConnectionsPerServer = 256,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        var reachability = new ReachabilityHandler(sockets, timeout, connectTimeout);
        var handler = wrapHandler is null ? reachability : wrapHandler(reachability);

        // Azure.Core applies NetworkTimeout itself; HttpClient's own timeout would cut long uploads short.
        var httpClient = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        return new AzureStorageConnection(settings, httpClient, timeout);
    }

    /// <summary>Returns null when the connection string is valid, else what is wrong (never the key).</summary>
    public static string? Validate(string? connectionString)
    {
        try
        {
            ConnectionStringParser.Parse(connectionString);
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    public override string ToString() => DisplayName;

    public void Dispose() => _httpClient.Dispose();

    private static T Configure<T>(T options, HttpPipelineTransport transport, TimeSpan networkTimeout)
        where T : ClientOptions
    {
        options.Transport = transport;

        // Core's Polly pipeline owns retries (full-jitter backoff, Retry-After); the SDK must not retry under it.
        options.Retry.MaxRetries = 0;
        options.Retry.NetworkTimeout = networkTimeout;
        options.Diagnostics.ApplicationId = "syncfn";
        options.Diagnostics.IsLoggingContentEnabled = false;
        return options;
    }
}
