using SyncFunctions.Abstractions;
using SyncFunctions.Abstractions.Endpoints;

namespace SyncFunctions.Core.Stores;

/// <summary>
/// Local folders: <c>local:PATH</c> or a plain path, relative to a base directory; canonical form
/// <c>local:/abs/path</c>. The stores are <see cref="LocalFolderStore"/>s.
/// </summary>
/// <remarks>Thread-safe. The address is the absolute path without a trailing separator (except the root).</remarks>
public sealed class LocalEndpointScheme : IEndpointScheme
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "local";

    private const string Prefix = SchemeName + ":";
    private readonly TimeProvider _time;

    /// <param name="time">Clock of the stores.</param>
    public LocalEndpointScheme(TimeProvider time) => _time = time;

    /// <inheritdoc/>
    public string Name => SchemeName;

    /// <inheritdoc/>
    public string Syntax => "local:PATH";

    /// <inheritdoc/>
    public SyncEndpoint? Parse(string text, string baseDirectory, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var path = text.StartsWith(Prefix, StringComparison.Ordinal) ? text[Prefix.Length..] : text;
        if (path.Length == 0)
        {
            error = $"'{text}': empty local path";
            return null;
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            error = "a local path cannot hold a NUL character";
            return null;
        }

        var full = Path.GetFullPath(path, baseDirectory);
        if (full.Length > 1)
        {
            full = full.TrimEnd('/');
        }

        error = null;
        return new SyncEndpoint(SchemeName, full);
    }

    /// <inheritdoc/>
    public bool Overlaps(SyncEndpoint first, SyncEndpoint second) => EndpointPaths.Overlap(first.Address, second.Address);

    /// <inheritdoc/>
    public string Canonical(SyncEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return Prefix + endpoint.Address;
    }

    /// <inheritdoc/>
    public SyncEndpoint? FromCanonical(string canonical, out string? error)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        if (!canonical.StartsWith(Prefix, StringComparison.Ordinal) || canonical.Length == Prefix.Length)
        {
            error = $"'{canonical}' is not a local:PATH endpoint";
            return null;
        }

        error = null;
        return new SyncEndpoint(SchemeName, canonical[Prefix.Length..]);
    }

    /// <inheritdoc/>
    public IObjectStore CreateStore(SyncEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return new LocalFolderStore(endpoint.Address, _time);
    }
}
