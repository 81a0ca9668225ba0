using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Conformance;

/// <summary>The object-store contract run against the in-memory fake.</summary>
public sealed class InMemoryObjectStoreConformanceTests : ObjectStoreConformance
{
    protected override bool HasChunkedWriter => true;

    protected override bool HasServerSideCopy => true;

    protected override Task<IObjectStore> CreateStoreAsync() =>
        Task.FromResult<IObjectStore>(new InMemoryObjectStore(new FakeTimeProvider(DateTimeOffset.Parse("2024-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture))));
}

/// <summary>The ledger contract run against the in-memory fake.</summary>
public sealed class InMemoryLedgerConformanceTests : LedgerConformance
{
    private static readonly InMemoryLedger Shared = new();

    protected override Task<ILedger> CreateLedgerAsync() => Task.FromResult<ILedger>(Shared);
}
