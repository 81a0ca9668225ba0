using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Stores;

namespace SyncFunctions.Tests.Conformance;

/// <summary>The object-store contract run against a local folder in a temporary directory.</summary>
public sealed class LocalFolderStoreConformanceTests : ObjectStoreConformance, IDisposable
{
    private readonly string _root = Path.Join(Path.GetTempPath(), "syncfn-conf-" + Guid.NewGuid().ToString("N"));

    protected override bool KeepsSha256 => false;

    protected override bool HasResumableWriter => true;

    protected override bool HasFolderMove => true;

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    protected override Task<IObjectStore> CreateStoreAsync()
    {
        var folder = Path.Join(_root, Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        return Task.FromResult<IObjectStore>(new LocalFolderStore(folder, new FakeTimeProvider(DateTimeOffset.Parse("2024-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture))));
    }
}
