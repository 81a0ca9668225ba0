using System.Text.RegularExpressions;
using SyncFunctions.Abstractions;
using SyncFunctions.Abstractions.Endpoints;
using SyncFunctions.Core.Stores;

namespace SyncFunctions.Core.Endpoints;

/// <summary>
/// The endpoint schemes a host knows, dispatched by the name before the colon: parsing command-line text, the
/// canonical forms pair ids hash, and building stores. A text without a scheme is a local path.
/// </summary>
/// <remarks>
/// Composed once by a composition root (CLI, Functions app) from the adapters' schemes; a new backend is one more
/// scheme. Thread-safe when its schemes are (they are required to be).
/// </remarks>
public sealed partial class EndpointRegistry
{
    private readonly Dictionary<string, IEndpointScheme> _schemes = new(StringComparer.Ordinal);
    private readonly List<IEndpointScheme> _ordered = [];

    /// <summary>Holds <paramref name="schemes"/>; their order is the order messages list them in.</summary>
    /// <exception cref="ArgumentException">Two schemes have the same name.</exception>
    public EndpointRegistry(IEnumerable<IEndpointScheme> schemes)
    {
        ArgumentNullException.ThrowIfNull(schemes);
        foreach (var scheme in schemes)
        {
            if (!_schemes.TryAdd(scheme.Name, scheme))
            {
                throw new ArgumentException($"two endpoint schemes are named '{scheme.Name}'", nameof(schemes));
            }

            _ordered.Add(scheme);
        }
    }

    /// <summary>The schemes, in the order given.</summary>
    public IReadOnlyList<IEndpointScheme> Schemes => _ordered;

    /// <summary>
    /// Parses an endpoint written on a command line: <c>NAME:…</c> goes to the scheme of that name, a text without a
    /// scheme to the local scheme (<see cref="LocalEndpointScheme"/>).
    /// </summary>
    /// <param name="text">The text as written.</param>
    /// <param name="baseDirectory">What a relative local path is relative to.</param>
    /// <param name="error">Null on success, else what is wrong (an unknown scheme's message lists the known ones).</param>
    public SyncEndpoint? Parse(string text, string baseDirectory, out string? error)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "an endpoint is empty";
            return null;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && _schemes.TryGetValue(text[..colon], out var scheme))
        {
            return scheme.Parse(text, baseDirectory, out error);
        }

        // Two or more letters before a colon name a scheme; a single one may be a drive letter.
        if (SchemePattern().IsMatch(text) || !_schemes.TryGetValue(LocalEndpointScheme.SchemeName, out var local))
        {
            error = $"'{text}': unknown endpoint scheme (use a path, {KnownSyntaxes()})";
            return null;
        }

        return local.Parse(text, baseDirectory, out error);
    }

    /// <summary>True when both endpoints are of one scheme on one account and one holds the other's objects.</summary>
    public bool Overlaps(SyncEndpoint first, SyncEndpoint second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return first.Scheme == second.Scheme && Equals(first.Account, second.Account) && SchemeOf(first).Overlaps(first, second);
    }

    /// <summary>The canonical form of <paramref name="endpoint"/> (see <see cref="IEndpointScheme.Canonical"/>).</summary>
    /// <exception cref="InvalidOperationException">Its scheme is not registered, or it needs an account and has none.</exception>
    public string Canonical(SyncEndpoint endpoint) => SchemeOf(endpoint).Canonical(endpoint);

    /// <summary>Reads a canonical form back into its endpoint; null and what is wrong when it has no known scheme or is malformed.</summary>
    public SyncEndpoint? FromCanonical(string canonical, out string? error)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        var colon = canonical.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && _schemes.TryGetValue(canonical[..colon], out var scheme))
        {
            return scheme.FromCanonical(canonical, out error);
        }

        error = $"'{canonical}' has an unknown form";
        return null;
    }

    /// <summary>The store of <paramref name="endpoint"/>, built by its scheme. No request is sent.</summary>
    /// <exception cref="InvalidOperationException">Its scheme is not registered, or its account is not one the scheme was given.</exception>
    public IObjectStore CreateStore(SyncEndpoint endpoint) => SchemeOf(endpoint).CreateStore(endpoint);

    private IEndpointScheme SchemeOf(SyncEndpoint endpoint) =>
        _schemes.TryGetValue(endpoint.Scheme, out var scheme)
            ? scheme
            : throw new InvalidOperationException($"no endpoint scheme '{endpoint.Scheme}' is registered");

    private string KnownSyntaxes()
    {
        var syntaxes = _ordered.Select(s => s.Syntax).ToList();
        return syntaxes.Count switch
        {
            0 => "no scheme is known",
            1 => syntaxes[0],
            _ => string.Join(", ", syntaxes[..^1]) + " or " + syntaxes[^1],
        };
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]+:")]
    private static partial Regex SchemePattern();
}
