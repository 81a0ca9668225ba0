using SyncFunctions.Abstractions;
using SyncFunctions.Azure;
using SyncFunctions.IntegrationTests.Infrastructure;
using SyncFunctions.Tests.Conformance;

namespace SyncFunctions.IntegrationTests.Azure;

/// <summary>The object-store contract run against a whole Blob container on Azurite.</summary>
[Collection("azurite")]
public sealed class BlobObjectStoreConformanceTests(AzuriteFixture azurite) : ObjectStoreConformance, IDisposable
{
    private readonly AzureStorageConnection _connection = azurite.Connect();

    protected override bool HasChunkedWriter => true;

    protected override bool HasServerSideCopy => true;

    /// <summary>
    /// Blob Storage strips a trailing '.' from blob names, so <see cref="BlobObjectStore"/> refuses such names
    /// (InvalidName, tested in BlobObjectStoreTests) instead of listing them under another name.
    /// </summary>
    protected override IReadOnlyList<string> AwkwardNames => base.AwkwardNames.Where(n => !n.EndsWith('.')).ToList();

    public void Dispose() => _connection.Dispose();

    protected override async Task<IObjectStore> CreateStoreAsync()
    {
        var container = AzuriteFixture.NewContainerName("conformance");
        await _connection.BlobService.CreateBlobContainerAsync(container);
        return BlobObjectStore.Create(_connection, container);
    }
}

/// <summary>The object-store contract run below a prefix of a container that also holds other blobs.</summary>
[Collection("azurite")]
public sealed class PrefixedBlobObjectStoreConformanceTests(AzuriteFixture azurite) : ObjectStoreConformance, IDisposable
{
    private readonly AzureStorageConnection _connection = azurite.Connect();

    protected override bool HasChunkedWriter => true;

    protected override bool HasServerSideCopy => true;

    protected override IReadOnlyList<string> AwkwardNames => base.AwkwardNames.Where(n => !n.EndsWith('.')).ToList();

    public void Dispose() => _connection.Dispose();

    protected override async Task<IObjectStore> CreateStoreAsync()
    {
        var container = (await _connection.BlobService.CreateBlobContainerAsync(AzuriteFixture.NewContainerName("prefixed"))).Value;

        // Neighbours just outside the prefix must never show up in the store's listing.
        await container.UploadBlobAsync("root/su", BinaryData.FromString("outside"));
        await container.UploadBlobAsync("root/sub-", BinaryData.FromString("outside"));
        await container.UploadBlobAsync("root/sub0/x", BinaryData.FromString("outside"));
        return BlobObjectStore.Create(_connection, container.Name, "root/sub");
    }
}

/// <summary>The ledger contract run against Table Storage on Azurite (one table set shared by all tests).</summary>
[Collection("azurite")]
public sealed class TableLedgerConformanceTests(AzuriteFixture azurite) : LedgerConformance
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static TableLedger? shared;

    protected override async Task<ILedger> CreateLedgerAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (shared is null)
            {
                // Lives for the whole test run, like the Azurite it talks to.
                var ledger = TableLedger.Create(azurite.Connect(), AzuriteFixture.NewTablePrefix());
                await ledger.InitializeAsync(CancellationToken.None);
                shared = ledger;
            }

            return shared;
        }
        finally
        {
            Gate.Release();
        }
    }
}
