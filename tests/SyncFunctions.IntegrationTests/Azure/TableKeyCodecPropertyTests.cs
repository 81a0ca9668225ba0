using CsCheck;
using SyncFunctions.Azure;

namespace SyncFunctions.IntegrationTests.Azure;

/// <summary>Properties of the order-preserving table key encoding.</summary>
public sealed class TableKeyCodecPropertyTests
{
    private const int Iterations = 2000;

    /// <summary>Characters from every range the codec treats specially, plus surrogate pairs and CJK.</summary>
    private static readonly Gen<string> Piece = Gen.OneOf(
        Gen.Char['\u0000', '\u001F'].Select(c => c.ToString()),
        Gen.OneOf("/", "\\", "#", "?", "~", "!", ">", "[", "]", " ", "-", ".", "%", "'", "\"", "{", "}"),
        Gen.Char['\u0020', '\u007E'].Select(c => c.ToString()),
        Gen.Char['\u007F', '\u009F'].Select(c => c.ToString()),
        Gen.Char['\u00A0', '\u00FF'].Select(c => c.ToString()),
        Gen.Char['\u3040', '\u30FF'].Select(c => c.ToString()),
        Gen.Char['\u4E00', '\u4FFF'].Select(c => c.ToString()),
        Gen.Char['\uE000', '\uFFFF'].Select(c => c.ToString()),
        Gen.Int[0x10000, 0x10FFFF].Select(char.ConvertFromUtf32));

    private static readonly Gen<string> Text = Piece.Array[0, 12].Select(parts => string.Concat(parts));

    [Fact]
    public void Encode_AnyTwoStrings_PreservesOrdinalOrder()
    {
        Gen.Select(Text, Text).Sample((a, b) =>
            Assert.Equal(Math.Sign(string.CompareOrdinal(a, b)), Math.Sign(string.CompareOrdinal(TableKeyCodec.Encode(a), TableKeyCodec.Encode(b)))),
            iter: Iterations);
    }

    [Fact]
    public void Encode_SharedPrefixes_PreservesOrdinalOrder()
    {
        // Random strings rarely share long prefixes; the order must hold where they do.
        Gen.Select(Text, Text, Text).Sample((prefix, a, b) =>
            Assert.Equal(
                Math.Sign(string.CompareOrdinal(prefix + a, prefix + b)),
                Math.Sign(string.CompareOrdinal(TableKeyCodec.Encode(prefix + a), TableKeyCodec.Encode(prefix + b)))),
            iter: Iterations);
    }

    [Fact]
    public void Decode_OfEncode_ReturnsTheOriginal()
    {
        Text.Sample(s => Assert.Equal(s, TableKeyCodec.Decode(TableKeyCodec.Encode(s))), iter: Iterations);
    }

    [Fact]
    public void Encode_AnyString_HoldsNoCharacterTableKeysForbid()
    {
        Text.Sample(s =>
        {
            var key = TableKeyCodec.Encode(s);
            Assert.DoesNotContain(key, c => c is '/' or '\\' or '#' or '?' or (>= '\u0000' and <= '\u001F') or (>= '\u007F' and <= '\u009F'));
        }, iter: Iterations);
    }

    [Theory]
    [InlineData("a-b", "a/x")]
    [InlineData("a/x", "a0")]
    [InlineData("A", "a")]
    [InlineData("z", "ä")]
    [InlineData("~", "\u007F")]
    [InlineData("\u009F", "\u00A0")]
    [InlineData("\uFFFF", "😀")]
    [InlineData("!", "!!")]
    [InlineData("a", "a\u0000")]
    public void Encode_KnownPairs_KeepsOrdinalOrder(string x, string y)
    {
        Assert.Equal(Math.Sign(string.CompareOrdinal(x, y)), Math.Sign(string.CompareOrdinal(TableKeyCodec.Encode(x), TableKeyCodec.Encode(y))));
    }
}
