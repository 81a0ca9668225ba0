namespace SyncFunctions.Graph.Tests;

public sealed class GraphEndpointTests
{
    [Theory]
    [InlineData("graph:b!abc-_1", GraphDriveKind.DriveId, "b!abc-_1", "")]
    [InlineData("graph:b!abc/Docs/2024", GraphDriveKind.DriveId, "b!abc", "Docs/2024")]
    [InlineData("graph:me", GraphDriveKind.Me, "", "")]
    [InlineData("graph:me/Documents/", GraphDriveKind.Me, "", "Documents")]
    [InlineData("graph:users/ada@contoso.com", GraphDriveKind.User, "ada@contoso.com", "")]
    [InlineData("graph:users/ada@contoso.com/Projects/x", GraphDriveKind.User, "ada@contoso.com", "Projects/x")]
    [InlineData("graph:sites/contoso.sharepoint.com,1f2e,3d4c/Shared Documents", GraphDriveKind.Site, "contoso.sharepoint.com,1f2e,3d4c", "Shared Documents")]
    public void Parse_ValidForms_ReturnsDriveAndFolder(string text, GraphDriveKind kind, string value, string folder)
    {
        var endpoint = GraphDriveStore.ParseEndpoint(text);

        Assert.Equal(new GraphDriveSelector(kind, value), endpoint.Drive);
        Assert.Equal(folder, endpoint.FolderPath);
        Assert.Equal(endpoint, GraphEndpoint.Parse(endpoint.ToString()));
    }

    [Theory]
    [InlineData("blob:x", "must start with 'graph:'")]
    [InlineData("graph:", "names no drive")]
    [InlineData("graph:users/", "names no user")]
    [InlineData("graph:sites", "names no site id")]
    [InlineData("graph:b!x/a/../b", "invalid folder path")]
    public void Parse_InvalidText_ThrowsWithReason(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => GraphEndpoint.Parse(text));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_DriveRoot_IsTheCanonicalText()
    {
        Assert.Equal("graph:users/u1", new GraphEndpoint(new GraphDriveSelector(GraphDriveKind.User, "u1"), "").ToString());
    }
}
