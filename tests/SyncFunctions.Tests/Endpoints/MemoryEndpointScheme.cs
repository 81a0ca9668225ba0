using SyncFunctions.Abstractions;
using SyncFunctions.Abstractions.Endpoints;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Endpoints;

/// <summary>A scheme of in-memory stores, <c>memory:STORE</c>: one store per name, kept for the test to look at.</summary>
public sealed class MemoryEndpointScheme : IEndpointScheme
{
    private readonly Dictionary<string, InMemoryObjectStore> _stores = new(StringComparer.Ordinal);

    public string Name => "memory";

    public string Syntax => "memory:STORE";

    /// <summary>The stores built so far, by name.</summary>
    public IReadOnlyDictionary<string, InMemoryObjectStore> Stores => _stores;

    public SyncEndpoint? Parse(string text, string baseDirectory, out string? error)
    {
        var name = text["memory:".Length..];
        error = name.Length == 0 ? $"'{text}': name a store" : null;
        return error is null ? new SyncEndpoint(Name, name) : null;
    }

    public bool Overlaps(SyncEndpoint first, SyncEndpoint second) => first.Address == second.Address;

    public string Canonical(SyncEndpoint endpoint) => "memory:" + endpoint.Address;

    public SyncEndpoint? FromCanonical(string canonical, out string? error) => Parse(canonical, "/", out error);

    public IObjectStore CreateStore(SyncEndpoint endpoint)
    {
        if (!_stores.TryGetValue(endpoint.Address, out var store))
        {
            store = new InMemoryObjectStore(storeId: endpoint.Address);
            _stores.Add(endpoint.Address, store);
        }

        return store;
    }
}
