using SyncFunctions.Abstractions;
using SyncFunctions.Abstractions.Endpoints;
using SyncFunctions.Core.Chunking;

namespace SyncFunctions.Core.Snapshots.Destination;

/// <summary>
/// <c>repo:CONTAINER[/PREFIX]</c>: a snapshot repository in a location of another scheme (a blob container), written as
/// that location with <c>repo</c> for its scheme. Its canonical form is <c>repo:</c> and the location's canonical form
/// without its scheme, so a pair into a repository and a mirror pair into the same container have different ids.
/// </summary>
/// <remarks>Thread-safe when the wrapped scheme is. One <see cref="RepositoryDestination"/> per location, shared by every store it builds.</remarks>
public sealed class RepositoryEndpointScheme(IEndpointScheme location, TimeProvider time, ChunkerOptions? chunkerForNew = null) : IEndpointScheme
{
    public const string SchemeName = "repo";

    /// <summary>Why a repository cannot be a run's source (for messages).</summary>
    public const string NotASource = "a snapshot repository is a destination only; write a snapshot's files out with 'syncfn restore REPO SNAPSHOT DESTINATION'";

    private const string Prefix = SchemeName + ":";
    private readonly Dictionary<string, RepositoryDestination> _open = new(StringComparer.Ordinal);

    public string Name => SchemeName;

    public string Syntax => Prefix + Inner(location.Syntax);

    /// <summary>The scheme of the location a repository is in.</summary>
    public IEndpointScheme Location => location;

    public SyncEndpoint? Parse(string text, string baseDirectory, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            error = $"'{text}' is not a {Syntax} endpoint";
            return null;
        }

        var parsed = location.Parse(location.Name + ":" + text[Prefix.Length..], baseDirectory, out var inner);
        error = inner is null ? null : $"'{text}': " + Reword(inner);
        return parsed is null ? null : parsed with { Scheme = SchemeName };
    }

    public bool Overlaps(SyncEndpoint first, SyncEndpoint second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return location.Overlaps(AsLocation(first), AsLocation(second));
    }

    public string Canonical(SyncEndpoint endpoint) => Prefix + Inner(location.Canonical(AsLocation(endpoint)));

    public SyncEndpoint? FromCanonical(string canonical, out string? error)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        if (!canonical.StartsWith(Prefix, StringComparison.Ordinal))
        {
            error = $"'{canonical}' is not the canonical form of a {Syntax} endpoint";
            return null;
        }

        var read = location.FromCanonical(location.Name + ":" + canonical[Prefix.Length..], out var inner);
        error = inner is null ? null : Reword(inner);
        return read is null ? null : read with { Scheme = SchemeName };
    }

    public IObjectStore CreateStore(SyncEndpoint endpoint)
    {
        var key = Canonical(endpoint);
        lock (_open)
        {
            if (!_open.TryGetValue(key, out var repository))
            {
                repository = new RepositoryDestination(location.CreateStore(AsLocation(endpoint)), time, chunkerForNew);
                _open[key] = repository;
            }

            return repository;
        }
    }

    private SyncEndpoint AsLocation(SyncEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint with { Scheme = location.Name };
    }

    private string Inner(string text) =>
        text.StartsWith(location.Name + ":", StringComparison.Ordinal) ? text[(location.Name.Length + 1)..] : text;

    /// <summary>The location scheme's message with its own syntax's name replaced by this one's.</summary>
    private string Reword(string message) => message.Replace(location.Name + ":", Prefix, StringComparison.Ordinal);
}
