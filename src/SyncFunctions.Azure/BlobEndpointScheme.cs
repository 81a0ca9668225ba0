using SyncFunctions.Abstractions;
using SyncFunctions.Abstractions.Endpoints;

namespace SyncFunctions.Azure;

/// <summary>
/// Blob containers: <c>blob:CONTAINER[/PREFIX]</c> on a storage account; canonical form
/// <c>blob:ACCOUNT/CONTAINER[/PREFIX]</c>, ACCOUNT being the account's identity (<see cref="IBlobAccounts"/>) without
/// a trailing slash. The stores are <see cref="BlobObjectStore"/>s.
/// </summary>
/// <remarks>
/// An account's identity may hold path segments (Azurite's <c>http://host:port/devstoreaccount1</c>), so a canonical
/// form is read back against the accounts in use. Thread-safe.
/// </remarks>
public sealed class BlobEndpointScheme : IEndpointScheme
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "blob";

    private const string Prefix = SchemeName + ":";
    private readonly IBlobAccounts _accounts;
    private readonly TimeProvider _time;

    /// <param name="accounts">The accounts endpoints are on: read back from canonical forms and connected to.</param>
    /// <param name="time">Clock of the stores (SAS expiry times).</param>
    public BlobEndpointScheme(IBlobAccounts accounts, TimeProvider time)
    {
        _accounts = accounts;
        _time = time;
    }

    /// <inheritdoc/>
    public string Name => SchemeName;

    /// <inheritdoc/>
    public string Syntax => "blob:CONTAINER[/PREFIX]";

    /// <inheritdoc/>
    public SyncEndpoint? Parse(string text, string baseDirectory, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            error = $"'{text}' is not a {Syntax} endpoint";
            return null;
        }

        var (container, prefix) = Split(text[Prefix.Length..].Trim('/'));
        prefix = prefix.Trim('/');
        error = Problem(container, prefix) is { } problem ? $"'{text}': {problem}" : null;
        return error is null ? new SyncEndpoint(SchemeName, prefix.Length == 0 ? container : container + "/" + prefix) : null;
    }

    /// <inheritdoc/>
    public bool Overlaps(SyncEndpoint first, SyncEndpoint second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var (one, other) = (Split(first.Address), Split(second.Address));
        return one.Container == other.Container && EndpointPaths.Overlap(one.Prefix, other.Prefix);
    }

    /// <inheritdoc/>
    public string Canonical(SyncEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return Prefix + AccountText(AccountOf(endpoint)) + "/" + endpoint.Address;
    }

    /// <inheritdoc/>
    public SyncEndpoint? FromCanonical(string canonical, out string? error)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        var inUse = _accounts.InUse;
        var account = inUse
            .Where(a => canonical.StartsWith(Prefix + AccountText(a) + "/", StringComparison.Ordinal))
            .MaxBy(a => AccountText(a).Length);
        if (account is null)
        {
            var names = inUse.Count == 0 ? "none" : string.Join(", ", inUse.Select(AccountText));
            error = $"'{canonical}' is not on the storage account in use ({names})";
            return null;
        }

        var address = canonical[(Prefix.Length + AccountText(account).Length + 1)..];
        var (container, prefix) = Split(address);
        error = Problem(container, prefix) is { } problem ? $"'{canonical}': {problem}" : null;
        return error is null ? new SyncEndpoint(SchemeName, address, account) : null;
    }

    /// <inheritdoc/>
    public IObjectStore CreateStore(SyncEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var (container, prefix) = Split(endpoint.Address);
        return BlobObjectStore.Create(_accounts.Connect(AccountOf(endpoint)), container, prefix, _time);
    }

    private static (string Container, string Prefix) Split(string address)
    {
        var slash = address.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (address, "") : (address[..slash], address[(slash + 1)..]);
    }

    private static string? Problem(string container, string prefix)
    {
        if (BlobNames.ValidateContainer(container) is { } containerProblem)
        {
            return $"invalid container name '{container}': {containerProblem}";
        }

        return prefix.Length > 0 && RelativePath.Validate(prefix) is { } prefixProblem ? $"prefix '{prefix}': {prefixProblem}" : null;
    }

    private static Uri AccountOf(SyncEndpoint endpoint) =>
        endpoint.Account ?? throw new InvalidOperationException($"the blob endpoint '{endpoint}' is on no storage account");

    private static string AccountText(Uri account) => account.GetLeftPart(UriPartial.Path).TrimEnd('/');
}
