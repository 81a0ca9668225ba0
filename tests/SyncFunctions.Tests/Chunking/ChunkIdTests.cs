using System.Security.Cryptography;
using System.Text;
using CsCheck;
using SyncFunctions.Core.Chunking;

namespace SyncFunctions.Tests.Chunking;

public sealed class ChunkIdTests
{
    private const string AbcSha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    [Fact]
    public void ToHex_Sha256OfAbc_IsTheLowerCaseReferenceDigest() =>
        Assert.Equal(AbcSha256, ChunkId.ToHex(SHA256.HashData(Encoding.ASCII.GetBytes("abc"))));

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void ToHex_NotThirtyTwoBytes_Throws(int length) => Assert.Throws<ArgumentException>(() => ChunkId.ToHex(new byte[length]));

    [Fact]
    public void Parse_ReferenceDigest_GivesItsBytes() =>
        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes("abc")), ChunkId.Parse(AbcSha256));

    [Fact]
    public void Parse_AnyThirtyTwoBytesAsHex_RoundTrips() =>
        Gen.Byte.Array[32].Sample(bytes => Assert.Equal(bytes, ChunkId.Parse(ChunkId.ToHex(bytes))));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ba7816bf")]
    [InlineData(AbcSha256 + "0")]
    [InlineData("a7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")]
    [InlineData("Ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("ga7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData(" a7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a\u0661")]
    public void TryParse_NotSixtyFourLowerCaseHexDigits_IsFalseAndParseThrows(string? id)
    {
        Assert.False(ChunkId.TryParse(id, out var sha256));
        Assert.Null(sha256);
        if (id is not null)
        {
            Assert.Throws<FormatException>(() => ChunkId.Parse(id));
        }
    }

    [Fact]
    public void Parse_Null_Throws() => Assert.Throws<ArgumentNullException>(() => ChunkId.Parse(null!));
}
