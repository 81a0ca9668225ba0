using System.Text;
using SyncFunctions.Abstractions.Hashing;

namespace SyncFunctions.Graph.Tests;

/// <summary>The shared QuickXorHash against the protocol reference's vectors (§7.3).</summary>
public sealed class QuickXorHashTests
{
    [Theory]
    [InlineData("", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("a", "YQAAAAAAAAAAAAAAAQAAAAAAAAA=")]
    [InlineData("abc", "YRDDGAAAAAAAAAAAAwAAAAAAAAA=")]
    [InlineData("hello world", "aCgDG9jwBhDc4Q1yawMZAAAAAAA=")]
    [InlineData("The quick brown fox jumps over the lazy dog", "bMSlbysmxJL6S75XwfMcQZOpcr4=")]
    public void HashToBase64_AsciiVectors_MatchTheReference(string input, string expected)
    {
        Assert.Equal(expected, QuickXorHash.HashToBase64(Encoding.ASCII.GetBytes(input)));
    }

    [Theory]
    [InlineData("Sg==", "SgAAAAAAAAAAAAAAAQAAAAAAAAA=")]
    [InlineData("tbQ=", "taAFAAAAAAAAAAAAAgAAAAAAAAA=")]
    [InlineData("0pZP", "0rDEEwAAAAAAAAAAAwAAAAAAAAA=")]
    [InlineData("jRRDVA==", "jaDAEKgAAAAAAAAABAAAAAAAAAA=")]
    [InlineData("eAV52qE=", "eChAHrQRCgAAAAAABQAAAAAAAAA=")]
    [InlineData("/aNzzCFPS/A=", "/RjFHJgRgicsAR4ACAAAAAAAAAA=")]
    [InlineData("vPgoDjOfO6fm71RxLw==", "vMAHChwwg0/s4BTmdQcV4vACAAA=")]
    [InlineData("2fuxhBJXtpWFe8dOfdGeHw==", "O9tHLAghgSvYohKFyMMxnNCHaHg=")]
    [InlineData("T6LYJIfDh81JrAK309H2JMJTXis=", "zBTHrspn3mEcohlJdIUAbjGNaNg=")]
    [InlineData("NbYXsp5/K6mR+NmHwExjvWeWDJFnXTKWVlzYHoesp2E=", "wjuAuWDiq04qDt1R8hHWDDcwVoQ=")]
    public void HashToBase64_RcloneVectors_MatchInOneGoAndInEveryBlockSize(string inputBase64, string expected)
    {
        var input = Convert.FromBase64String(inputBase64);

        Assert.Equal(expected, QuickXorHash.HashToBase64(input));
        for (var block = 1; block <= input.Length; block++)
        {
            using var hash = new QuickXorHash();
            foreach (var chunk in input.Chunk(block))
            {
                hash.Append(chunk);
            }

            Assert.Equal(expected, Convert.ToBase64String(hash.GetDigest()));
        }
    }

    [Fact]
    public void HashToBase64_ZerosAndOneMebibytePattern_MatchTheReference()
    {
        var pattern = Enumerable.Range(0, 1 << 20).Select(i => (byte)(i % 256)).ToArray();

        Assert.Equal("AAAAAAAAAAAAAAAAAAQAAAAAAAA=", QuickXorHash.HashToBase64(new byte[1024]));
        Assert.Equal("QkGEfSisZcA7k+FCh7x72dbCayY=", QuickXorHash.HashToBase64(pattern));
    }

    [Fact]
    public async Task HashToBase64Async_Stream_EqualsTheOneShotHash()
    {
        var data = new byte[300_001];
        new Random(7).NextBytes(data);

        Assert.Equal(QuickXorHash.HashToBase64(data), await QuickXorHash.HashToBase64Async(new MemoryStream(data)));
    }
}
