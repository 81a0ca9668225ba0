using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Engine;

public sealed class PairNamesTests
{
    [Theory]
    [InlineData("docs")]
    [InlineData("Docs-2026_backup.v1")]
    [InlineData("0")]
    public void Validate_GoodName_Null(string name) => Assert.Null(PairNames.Validate(name));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("-docs", "must start with a letter or digit")]
    [InlineData("a/b", "may hold only")]
    [InlineData("a b", "may hold only")]
    [InlineData("ü", "may hold only")]
    [InlineData("a\u0001", "may hold only")]
    public void Validate_BadName_SaysWhy(string name, string expected) => Assert.Contains(expected, PairNames.Validate(name), StringComparison.Ordinal);

    [Fact]
    public void Validate_TooLong_NamesTheLimit() =>
        Assert.Contains("longer than 63", PairNames.Validate(new string('a', 64)), StringComparison.Ordinal);
}
