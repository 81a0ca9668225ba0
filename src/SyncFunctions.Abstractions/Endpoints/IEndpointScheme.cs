namespace SyncFunctions.Abstractions.Endpoints;

/// <summary>
/// One kind of endpoint (<c>local:</c>, <c>blob:</c>, <c>graph:</c>): how it is written, how it is named in pair
/// ids, and how its store is built. Each adapter implements its own; an <c>EndpointRegistry</c> dispatches by name.
/// </summary>
/// <remarks>
/// What a scheme needs to build stores (connections, credentials, a clock) is given to its constructor by the
/// composition root, so this contract holds no SDK type. Implementations are thread-safe; parsing and the
/// canonical forms are pure functions of their arguments and the accounts the scheme was given.
/// Messages say what is wrong in the scheme's own words, never a command-line flag (the host adds those).
/// </remarks>
public interface IEndpointScheme
{
    /// <summary>The name before the colon, e.g. <c>blob</c> (compared ordinally).</summary>
    string Name { get; }

    /// <summary>How an endpoint of this scheme is written, for messages: e.g. <c>blob:CONTAINER[/PREFIX]</c>.</summary>
    string Syntax { get; }

    /// <summary>
    /// Parses an endpoint written on a command line: <paramref name="text"/> starts with <see cref="Name"/> and a
    /// colon (the local scheme also takes a plain path). The result has no <see cref="SyncEndpoint.Account"/>.
    /// </summary>
    /// <param name="text">The whole text as written, scheme included.</param>
    /// <param name="baseDirectory">What a relative local path is relative to.</param>
    /// <param name="error">Null on success, else what is wrong, quoting <paramref name="text"/>.</param>
    /// <returns>The endpoint in its normal form, or null when <paramref name="text"/> is not a valid one.</returns>
    SyncEndpoint? Parse(string text, string baseDirectory, out string? error);

    /// <summary>
    /// True when one endpoint holds the other's objects (a sync between them would feed on its own output).
    /// Both are of this scheme and on the same account.
    /// </summary>
    bool Overlaps(SyncEndpoint first, SyncEndpoint second);

    /// <summary>
    /// The canonical form that pair ids hash (<c>local:/abs/path</c>, <c>blob:ACCOUNT_ENDPOINT/CONTAINER[/PREFIX]</c>,
    /// <c>graph:BASE_URL|DRIVE[/PATH]</c>). It never changes for a given endpoint: existing ledgers find their pairs by it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The scheme has accounts and the endpoint is on none.</exception>
    string Canonical(SyncEndpoint endpoint);

    /// <summary>
    /// Reads a canonical form (<see cref="Canonical"/>) back into its endpoint, account included, so that
    /// <c>Canonical(FromCanonical(c)) == c</c>.
    /// </summary>
    /// <param name="canonical">A canonical form that starts with <see cref="Name"/> and a colon.</param>
    /// <param name="error">Null on success, else what is wrong, quoting <paramref name="canonical"/>.</param>
    SyncEndpoint? FromCanonical(string canonical, out string? error);

    /// <summary>The store of an endpoint on its account. No request is sent.</summary>
    /// <exception cref="InvalidOperationException">The scheme has accounts and the endpoint is on none, or on one it was not given.</exception>
    IObjectStore CreateStore(SyncEndpoint endpoint);
}
