using Microsoft.Graph.Models;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph;

/// <summary>
/// Graph change-notification subscriptions on drive roots (<c>/subscriptions</c> through the SDK): a <c>graph:</c>
/// source, whatever folder it names, is subscribed at <c>/drives/{id}/root</c> with change type <c>updated</c> (all a
/// drive supports), the lifecycle URL equal to the notification URL, and an expiry within Graph's 42,300-minute
/// maximum for drive items.
/// </summary>
/// <remarks>
/// Sources are canonical <c>graph:BASE_URL|DRIVE[/PATH]</c> forms (<see cref="GraphEndpointScheme"/>); each base URL
/// gets its connection from the given function. Drive ids of <c>me</c>, <c>users/…</c> and <c>sites/…</c> are looked
/// up once per call. Failures are <see cref="StorageException"/>s classified by <see cref="GraphErrors"/>. Thread-safe.
/// </remarks>
public sealed class GraphChangeSubscriptions : IChangeSubscriptions
{
    /// <summary>The longest lifetime Graph allows a driveItem subscription.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(42300);

    /// <summary>Kept off the maximum so clock skew between us and Graph never makes a request exceed it.</summary>
    private static readonly TimeSpan SkewAllowance = TimeSpan.FromMinutes(5);

    private readonly GraphEndpointScheme _scheme;
    private readonly Func<Uri, GraphConnection> _connect;

    /// <param name="connect">The connection to a Graph base URL (with its credentials).</param>
    public GraphChangeSubscriptions(Func<Uri, GraphConnection> connect)
    {
        ArgumentNullException.ThrowIfNull(connect);
        _connect = connect;
        _scheme = new GraphEndpointScheme(connect);
    }

    /// <inheritdoc/>
    public string? SubscribeProblem(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!source.StartsWith(GraphEndpoint.Scheme, StringComparison.Ordinal))
        {
            return $"change notifications need a Microsoft 365 drive source (graph:DRIVE[/PATH]); '{Scheme(source)}:' sources cannot be subscribed to";
        }

        return _scheme.FromCanonical(source, out var error) is null ? error : null;
    }

    /// <inheritdoc/>
    public async Task<ChangeSubscription> CreateAsync(ChangeSubscriptionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (connection, store) = Open(request.Source);
        var driveId = await store.DriveIdAsync(cancellationToken).ConfigureAwait(false);
        var resource = $"/drives/{driveId}/root";
        var url = request.NotificationUrl.ToString();
        var created = await CallAsync(
            connection,
            $"create subscription on {resource}",
            () => connection.Client.Subscriptions.PostAsync(
                new Subscription
                {
                    ChangeType = "updated",
                    NotificationUrl = url,
                    LifecycleNotificationUrl = url,
                    Resource = resource,
                    ExpirationDateTime = Bounded(connection, request.ExpiresAt),
                    ClientState = request.ClientState,
                },
                cancellationToken: cancellationToken),
            cancellationToken).ConfigureAwait(false);
        if (created?.Id is not { Length: > 0 } id)
        {
            throw new StorageException(StorageErrorKind.Transient, $"Graph created a subscription on {resource} but returned no id");
        }

        return new ChangeSubscription(id, created.Resource ?? resource, created.ExpirationDateTime ?? Bounded(connection, request.ExpiresAt));
    }

    /// <inheritdoc/>
    public async Task<DateTimeOffset?> RenewAsync(string source, string subscriptionId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(subscriptionId);
        var (connection, _) = Open(source);
        var expiry = Bounded(connection, expiresAt);
        try
        {
            var renewed = await CallAsync(
                connection,
                $"renew subscription {subscriptionId}",
                () => connection.Client.Subscriptions[subscriptionId].PatchAsync(new Subscription { ExpirationDateTime = expiry }, cancellationToken: cancellationToken),
                cancellationToken).ConfigureAwait(false);
            return renewed?.ExpirationDateTime ?? expiry;
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteAsync(string source, string subscriptionId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(subscriptionId);
        var (connection, _) = Open(source);
        try
        {
            await CallAsync(
                connection,
                $"delete subscription {subscriptionId}",
                async () =>
                {
                    await connection.Client.Subscriptions[subscriptionId].DeleteAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                    return true;
                },
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            return false;
        }
    }

    private (GraphConnection Connection, GraphDriveStore Store) Open(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var endpoint = _scheme.FromCanonical(source, out var error)
            ?? throw new StorageException(StorageErrorKind.Permanent, $"cannot subscribe to '{source}': {error}");
        var connection = _connect(endpoint.Account!);
        return (connection, new GraphDriveStore(connection, GraphEndpoint.Parse(GraphEndpoint.Scheme + endpoint.Address)));
    }

    private static DateTimeOffset Bounded(GraphConnection connection, DateTimeOffset expiresAt)
    {
        var latest = connection.TimeProvider.GetUtcNow() + MaxLifetime - SkewAllowance;
        return expiresAt < latest ? expiresAt : latest;
    }

    private static string Scheme(string source)
    {
        var colon = source.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? source[..colon] : source;
    }

    private static async Task<T> CallAsync<T>(GraphConnection connection, string what, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (GraphErrors.ShouldClassify(e, cancellationToken))
        {
            throw GraphErrors.Classify(e, what, connection.TimeProvider);
        }
    }
}
