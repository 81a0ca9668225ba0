using SyncFunctions.Abstractions;
using SyncFunctions.Abstractions.Endpoints;

namespace SyncFunctions.Graph;

/// <summary>
/// Microsoft 365 drives: <c>graph:DRIVE_ID[/PATH]</c>, <c>graph:me[/PATH]</c>, <c>graph:users/UPN[/PATH]</c>,
/// <c>graph:sites/SITE_ID[/PATH]</c> (see <see cref="GraphEndpoint"/>) at a Graph base URL, the endpoint's account;
/// canonical form <c>graph:BASE_URL|DRIVE[/PATH]</c>. The stores are <see cref="GraphDriveStore"/>s.
/// </summary>
/// <remarks>
/// The address is <see cref="GraphEndpoint"/>'s normal text without the scheme, so <c>graph:d/a/</c> and
/// <c>graph:d/a</c> are one pair. A URL never holds a raw '|', so the canonical form splits at the first one.
/// Thread-safe.
/// </remarks>
public sealed class GraphEndpointScheme : IEndpointScheme
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "graph";

    private readonly Func<Uri, GraphConnection> _connect;

    /// <param name="connect">The connection to a base URL (with its credentials); called when a store is built.</param>
    public GraphEndpointScheme(Func<Uri, GraphConnection> connect) => _connect = connect;

    /// <inheritdoc/>
    public string Name => SchemeName;

    /// <inheritdoc/>
    public string Syntax => "graph:DRIVE[/PATH]";

    /// <inheritdoc/>
    public SyncEndpoint? Parse(string text, string baseDirectory, out string? error)
    {
        var drive = ParseDrive(text, out error);
        return drive is null ? null : new SyncEndpoint(SchemeName, drive.ToString()[GraphEndpoint.Scheme.Length..]);
    }

    /// <inheritdoc/>
    public bool Overlaps(SyncEndpoint first, SyncEndpoint second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var (one, other) = (DriveOf(first), DriveOf(second));
        return one.Drive == other.Drive && EndpointPaths.Overlap(one.FolderPath, other.FolderPath);
    }

    /// <inheritdoc/>
    public string Canonical(SyncEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return GraphEndpoint.Scheme + BaseUrlOf(endpoint).GetLeftPart(UriPartial.Path).TrimEnd('/') + "|" + endpoint.Address;
    }

    /// <inheritdoc/>
    public SyncEndpoint? FromCanonical(string canonical, out string? error)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        var bar = canonical.IndexOf('|', StringComparison.Ordinal);
        if (!canonical.StartsWith(GraphEndpoint.Scheme, StringComparison.Ordinal) || bar <= GraphEndpoint.Scheme.Length
            || !Uri.TryCreate(canonical[GraphEndpoint.Scheme.Length..bar], UriKind.Absolute, out var baseUrl))
        {
            error = $"'{canonical}' has no valid Graph base URL";
            return null;
        }

        var address = canonical[(bar + 1)..];
        if (ParseDrive(GraphEndpoint.Scheme + address, out var problem) is null)
        {
            error = $"'{canonical}': {problem}";
            return null;
        }

        error = null;
        return new SyncEndpoint(SchemeName, address, baseUrl);
    }

    /// <inheritdoc/>
    public IObjectStore CreateStore(SyncEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return new GraphDriveStore(_connect(BaseUrlOf(endpoint)), DriveOf(endpoint));
    }

    private static GraphEndpoint? ParseDrive(string text, out string? error)
    {
        try
        {
            var drive = GraphEndpoint.Parse(text);
            error = null;
            return drive;
        }
        catch (FormatException e)
        {
            error = e.Message;
            return null;
        }
    }

    private static GraphEndpoint DriveOf(SyncEndpoint endpoint) => GraphEndpoint.Parse(GraphEndpoint.Scheme + endpoint.Address);

    private static Uri BaseUrlOf(SyncEndpoint endpoint) =>
        endpoint.Account ?? throw new InvalidOperationException($"the graph endpoint '{endpoint}' has no Graph base URL");
}
