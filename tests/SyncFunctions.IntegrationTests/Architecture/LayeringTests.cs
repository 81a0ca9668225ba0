using System.Reflection;
using SyncFunctions.Abstractions;
using SyncFunctions.Azure;
using SyncFunctions.Core.InProcess;

namespace SyncFunctions.IntegrationTests.Architecture;

/// <summary>
/// References point down only: Core and the adapters know Abstractions, never each other or the hosts. The Functions
/// app's own references are checked in SyncFunctions.App.Tests (this project does not load it).
/// </summary>
public sealed class LayeringTests
{
    private static readonly string[] Ours = ["SyncFunctions.Abstractions", "SyncFunctions.Core", "SyncFunctions.Azure", "SyncFunctions.Graph", "SyncFunctions.GraphDev", "SyncFunctions.Orchestration", "SyncFunctions.Http", "SyncFunctions.Serve", "SyncFunctions.App", "syncfn"];

    public static TheoryData<string, string[]> Allowed() => new()
    {
        { typeof(StorageException).Assembly.GetName().Name!, [] },
        { typeof(SyncFunctions.Core.InProcess.InProcessDriver).Assembly.GetName().Name!, ["SyncFunctions.Abstractions"] },
        { typeof(BlobObjectStore).Assembly.GetName().Name!, ["SyncFunctions.Abstractions"] },
        { "SyncFunctions.Graph", ["SyncFunctions.Abstractions"] },
        { "SyncFunctions.GraphDev", ["SyncFunctions.Abstractions"] },
        { "SyncFunctions.Orchestration", ["SyncFunctions.Abstractions", "SyncFunctions.Core"] },
        { "SyncFunctions.Http", ["SyncFunctions.Abstractions", "SyncFunctions.Core", "SyncFunctions.Orchestration"] },
        { "SyncFunctions.Serve", ["SyncFunctions.Abstractions", "SyncFunctions.Core", "SyncFunctions.Orchestration", "SyncFunctions.Http"] },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Assembly_ReferencesOnlyLowerLayers(string assembly, string[] allowed)
    {
        var references = Assembly.Load(assembly).GetReferencedAssemblies().Select(a => a.Name!).Where(Ours.Contains);

        Assert.Empty(references.Except(allowed));
    }

    [Fact]
    public void AdaptersAndCore_DoNotReferenceSdkTypesInAbstractions()
    {
        var sdk = typeof(StorageException).Assembly.GetReferencedAssemblies().Select(a => a.Name!)
            .Where(n => n.StartsWith("Azure", StringComparison.Ordinal) || n.StartsWith("Microsoft.Graph", StringComparison.Ordinal));

        Assert.Empty(sdk);
    }
}
