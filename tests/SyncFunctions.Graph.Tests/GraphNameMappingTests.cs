using CsCheck;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph.Tests;

public sealed class GraphNameMappingTests
{
    [Theory]
    [InlineData("plain.txt", "plain.txt")]
    [InlineData("a:b", "a\uFF1Ab")]
    [InlineData("q?*<>|\"", "q\uFF1F\uFF0A\uFF1C\uFF1E\uFF5C\uFF02")]
    [InlineData("trailing.", "trailing\uFF0E")]
    [InlineData(" lead", "\u201B lead")]
    [InlineData("trail ", "trail \u201B")]
    [InlineData(" ", "\u201B \u201B")]
    [InlineData("\u00A0nbsp", "\u201B\u00A0nbsp")]
    [InlineData("CON", "\u201BCON")]
    [InlineData("lpt9", "\u201Blpt9")]
    [InlineData("desktop.ini", "\u201Bdesktop.ini")]
    [InlineData("~$lock.docx", "\u201B~$lock.docx")]
    [InlineData("a_vti_b", "a_\u201Bvti_b")]
    [InlineData("fullwidth\uFF1A", "fullwidth\u201B\uFF1A")]
    [InlineData("esc\u201B", "esc\u201B\u201B")]
    [InlineData("mid\uFF0Edot", "mid\uFF0Edot")]
    [InlineData("CON.txt", "CON.txt")]
    public void ToDriveName_KnownNames_MapsPerTheTable(string name, string expected)
    {
        Assert.Equal(expected, GraphNameMapping.ToDriveName(name));
        Assert.Equal(name, GraphNameMapping.FromDriveName(expected));
        Assert.True(GraphNameMapping.IsValidDriveName(expected));
    }

    [Fact]
    public void ToDrive_Path_MapsEverySegment()
    {
        Assert.Equal("a\uFF1A/b \u201B/c\uFF0E", GraphNameMapping.ToDrive("a:/b /c."));
        Assert.Equal("a:/b /c.", GraphNameMapping.FromDrive("a\uFF1A/b \u201B/c\uFF0E"));
    }

    [Fact]
    public void ToDrive_NameOver255_ThrowsInvalidNameWithReason()
    {
        var error = Assert.Throws<StorageException>(() => GraphNameMapping.ToDrive("d/" + new string('n', 256)));

        Assert.Equal(StorageErrorKind.InvalidName, error.Kind);
        Assert.Contains("255", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToDrive_NameThatGrowsOver255_ThrowsInvalidName()
    {
        // 128 colons are 128 characters; escaped fullwidth colons would be 256.
        var error = Assert.Throws<StorageException>(() => GraphNameMapping.ToDrive(new string('\uFF1A', 128)));

        Assert.Equal(StorageErrorKind.InvalidName, error.Kind);
    }

    [Fact]
    public void ToDrive_PathOver400_ThrowsInvalidName()
    {
        var path = string.Join('/', Enumerable.Repeat(new string('p', 100), 5));

        var error = Assert.Throws<StorageException>(() => GraphNameMapping.ToDrive(path));

        Assert.Equal(StorageErrorKind.InvalidName, error.Kind);
        Assert.Contains("400", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToDrive_InvalidRelativePath_ThrowsInvalidName()
    {
        Assert.Equal(StorageErrorKind.InvalidName, Assert.Throws<StorageException>(() => GraphNameMapping.ToDrive("a/../b")).Kind);
    }

    [Fact]
    public void FromDriveName_NativeDotName_StaysAsTheDriveHoldsIt()
    {
        Assert.Equal("\uFF0E", GraphNameMapping.FromDriveName("\uFF0E"));
    }

    [Fact]
    public void ToDriveName_RandomNames_RoundTripAndAreValidOnTheDrive()
    {
        // Names drawn from the characters that matter: forbidden ones, their replacements, the escape,
        // white space, dots, letters of reserved names and patterns, and some others.
        const string alphabet = "\"*:<>?| .~$_vtiCONLPTdesktop.inilock\u00A0\u3000\u2420\u201B\uFF02\uFF0A\uFF1A\uFF1C\uFF1E\uFF1F\uFF5C\uFF0E1aé日";
        var names = Gen.Char[alphabet].Array[1, 12].Select(chars => new string(chars))
            .Where(n => n is not "." and not ".." && RelativePath.Validate(n) is null);

        names.Sample(name =>
        {
            var mapped = GraphNameMapping.ToDriveName(name);
            return GraphNameMapping.FromDriveName(mapped) == name && GraphNameMapping.IsValidDriveName(mapped);
        }, iter: 20_000);
    }

    [Fact]
    public void ToDrive_RandomPaths_RoundTrip()
    {
        var segment = Gen.String[Gen.Char.AlphaNumeric, 1, 5].SelectMany(a => Gen.Char[" .:?*\u201B"].Select(c => c + a + c));
        var paths = segment.Array[1, 4].Select(s => string.Join('/', s));

        paths.Sample(path => GraphNameMapping.FromDrive(GraphNameMapping.ToDrive(path)) == path, iter: 5_000);
    }

    [Theory]
    [InlineData("report.docx")]
    [InlineData("a b")]
    [InlineData("Ünïcödé 名前.txt")]
    public void FromDriveName_NameWithNothingMapped_ReturnsTheSameString(string name)
    {
        Assert.Same(name, GraphNameMapping.FromDriveName(name));
    }

    [Theory]
    [InlineData("a\uFF1Ab", "a:b")]
    [InlineData("end\uFF0E", "end.")]
    [InlineData("\u201BCON", "CON")]
    public void FromDriveName_NameWithMappedCharacters_Decodes(string escaped, string expected)
    {
        var driveName = System.Text.RegularExpressions.Regex.Unescape(escaped);

        Assert.Equal(expected, GraphNameMapping.FromDriveName(driveName));
    }
}
