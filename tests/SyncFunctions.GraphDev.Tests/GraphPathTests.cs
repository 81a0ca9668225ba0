using SyncFunctions.GraphDev.Http;

namespace SyncFunctions.GraphDev.Tests;

public sealed class GraphPathTests
{
    [Theory]
    [InlineData("me/drive", null, null, null, "", null)]
    [InlineData("drives/b!x", "b!x", null, null, "", null)]
    [InlineData("drives/b!x/items/root/delta()", "b!x", "root", null, "delta", null)]
    [InlineData("drives/b!x/items/root/delta(token='latest')", "b!x", "root", null, "delta", "latest")]
    [InlineData("drives/b!x/root/delta", "b!x", "root", null, "delta", null)]
    [InlineData("me/drive/root/delta", null, "root", null, "delta", null)]
    [InlineData("drives/d/items/root:/dir one/small.txt:/content", "d", "root", "dir one/small.txt", "content", null)]
    [InlineData("drives/d/root:/a/b.txt:", "d", "root", "a/b.txt", "", null)]
    [InlineData("drives/d/root:/a/b.txt", "d", "root", "a/b.txt", "", null)]
    [InlineData("drives/d/items/01ABC:/name.bin:/createUploadSession", "d", "01ABC", "name.bin", "createUploadSession", null)]
    [InlineData("drives/d/items/01ABC/microsoft.graph.copy", "d", "01ABC", null, "copy", null)]
    [InlineData("drives/d/items/01ABC/children", "d", "01ABC", null, "children", null)]
    [InlineData("drives/d/items/01ABC/children/01DEF/content", "d", "01DEF", null, "content", null)]
    [InlineData("users/u1/drive/root:/x:/content", null, "root", "x", "content", null)]
    [InlineData("sites/s1/drive/items/01ABC", null, "01ABC", null, "", null)]
    public void ParseDrive_DocumentedAndSdkForms_Parse(string path, string? drive, string? baseItem, string? relative, string action, string? token)
    {
        var parsed = GraphPath.ParseDrive(path);

        Assert.Equal(new DrivePath(drive, baseItem, relative, action, token), parsed);
    }

    [Theory]
    [InlineData("me/drives")]
    [InlineData("drives/d/items/01ABC/permissions")]
    [InlineData("drives/d/items/01ABC/delta(foo=1)")]
    [InlineData("users/u1/messages")]
    public void ParseDrive_UnknownForms_ReturnNull(string path) => Assert.Null(GraphPath.ParseDrive(path));
}
