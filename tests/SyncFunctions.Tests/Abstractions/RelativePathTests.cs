using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Abstractions;

public sealed class RelativePathTests
{
    [Theory]
    [InlineData("a/b/c.txt", "a/b")]
    [InlineData("a/b", "a")]
    [InlineData("c.txt", "")]
    [InlineData("", "")]
    public void Parent_Path_IsTheFolderThatHoldsIt(string path, string expected)
    {
        Assert.Equal(expected, RelativePath.Parent(path));
    }
}
