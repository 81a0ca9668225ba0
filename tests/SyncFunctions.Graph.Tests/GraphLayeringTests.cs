namespace SyncFunctions.Graph.Tests;

/// <summary>The Graph adapter sits beside Core: it may reference Abstractions only.</summary>
public sealed class GraphLayeringTests
{
    [Fact]
    public void GraphAssembly_ReferencesOnlyAbstractionsOfOurs()
    {
        var ours = typeof(GraphDriveStore).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("SyncFunctions", StringComparison.Ordinal) || n == "syncfn");

        Assert.Equal(["SyncFunctions.Abstractions"], ours);
    }
}
