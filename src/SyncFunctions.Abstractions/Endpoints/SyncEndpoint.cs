namespace SyncFunctions.Abstractions.Endpoints;

/// <summary>
/// A source or destination of a sync as its scheme parsed it: <c>local</c> + <c>/abs/path</c>, <c>blob</c> +
/// <c>CONTAINER[/PREFIX]</c>, <c>graph</c> + <c>DRIVE[/PATH]</c>. Each scheme (<see cref="IEndpointScheme"/>) owns
/// the form of its <see cref="Address"/>; nobody else takes it apart.
/// </summary>
/// <remarks>
/// Named <c>SyncEndpoint</c> rather than <c>Endpoint</c> so it never collides with ASP.NET Core's routing type in
/// the hosts that use both. An immutable value; equal when scheme, address and account are equal.
/// </remarks>
/// <param name="Scheme">The scheme's name, the text before the colon (<see cref="IEndpointScheme.Name"/>).</param>
/// <param name="Address">The scheme's own parts in their normal form (what a person writes after the colon).</param>
/// <param name="Account">
/// The account the endpoint lives on, part of its identity and canonical form: a blob service endpoint, a Graph
/// base URL. Null for a scheme without accounts (local), and for an endpoint parsed from text before its
/// composition root put it on an account.
/// </param>
public sealed record SyncEndpoint(string Scheme, string Address, Uri? Account = null)
{
    /// <summary>The endpoint as a person writes it, <c>scheme:address</c> (without the account).</summary>
    public override string ToString() => Scheme + ":" + Address;
}
