using SyncFunctions.Abstractions.Hashing;
using System.Text;
using CsCheck;

namespace SyncFunctions.Tests.Abstractions;

public sealed class QuickXorHashTests
{
    [Theory]
    [InlineData("", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("a", "YQAAAAAAAAAAAAAAAQAAAAAAAAA=")]
    [InlineData("abc", "YRDDGAAAAAAAAAAAAwAAAAAAAAA=")]
    [InlineData("hello world", "aCgDG9jwBhDc4Q1yawMZAAAAAAA=")]
    [InlineData("The quick brown fox jumps over the lazy dog", "bMSlbysmxJL6S75XwfMcQZOpcr4=")]
    public void HashToBase64_AsciiVectors_MatchReference(string input, string expected) =>
        Assert.Equal(expected, QuickXorHash.HashToBase64(Encoding.ASCII.GetBytes(input)));

    [Fact]
    public void HashToBase64_1024Zeros_MatchesReference() =>
        Assert.Equal("AAAAAAAAAAAAAAAAAAQAAAAAAAA=", QuickXorHash.HashToBase64(new byte[1024]));

    [Fact]
    public void HashToBase64_OneMebibyteCounter_MatchesReference()
    {
        var data = new byte[1 << 20];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)i;
        }

        Assert.Equal("QkGEfSisZcA7k+FCh7x72dbCayY=", QuickXorHash.HashToBase64(data));
    }

    /// <summary>Vectors of random inputs from rclone's test file (input and output both Base64).</summary>
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
    [InlineData("ikwCorI7PKWz17EI50jZCGbV9JU2E8bXVfxNMg5zdmqSZ2NlsQPp0kqYIPjzwTg1MBtfWPg53k0h0P2naJNEVgrqpoHTfV2b3pJ4m0zYPTJmUX4Bg/lOxcnCxAYKU29Y5F0U8Quz7ZXFBEweftXxJ7RS4r6N7BzJrPsLhY7hgck=", "imAoFvCWlDn4yVw3/oq1PDbbm6U=")]
    [InlineData("qwGf2ESubE5jOUHHyc94ORczFYYbc2OmEzo+hBIyzJiNwAzC8PvJqtTzwkWkSslgHFGWQZR2BV5+uYTrYT7HVwRM40vqfj0dBgeDENyTenIOL1LHkjtDKoXEnQ0mXAHoJ8PjbNC93zi5TovVRXTNzfGEs5dpWVqxUzb5lc7dwkyvOluBw482mQ4xrzYyIY1t+//OrNi1ObGXuUw2jBQOFfJVj2Y6BOyYmfB1y36eBxi3zxeG5d5NYjm2GSh6e08QMAwu3zrINcqIzLOuNIiGXBtl7DjKt7b5wqi4oFiRpZsCyx2smhSrdrtK/CkdU6nDN+34vSR/M8rZpWQdBE7a8g==", "WYT9JY3JIo/pEBp+tIM6Gt2nyTM=")]
    [InlineData("w0LGhqU1WXFbdavqDE4kAjEzWLGGzmTNikzqnsiXHx2KRReKVTxkv27u3UcEz9+lbMvYl4xFf2Z4aE1xRBBNd1Ke5C0zToSaYw5o4B/7X99nKK2/XaUX1byLow2aju2XJl2OpKpJg+tSJ2fmjIJTkfuYUz574dFX6/VXxSxwGH/xQEAKS5TCsBK3CwnuG1p5SAsQq3gGVozDWyjEBcWDMdy8/AIFrj/y03Lfc/RNRCQTAfZbnf2QwV7sluw4fH3XJr07UoD0YqN+7XZzidtrwqMY26fpLZnyZjnBEt1FAZWO7RnKG5asg8xRk9YaDdedXdQSJAOy6bWEWlABj+tVAigBxavaluUH8LOj+yfCFldJjNLdi90fVHkUD/m4Mr5OtmupNMXPwuG3EQlqWUVpQoYpUYKLsk7a5Mvg6UFkiH596y5IbJEVCI1Kb3D1", "e3+wo77iKcILiZegnzyUNcjCdoQ=")]
    public void HashToBase64_RcloneVectors_Match(string inputBase64, string expected)
    {
        var input = Convert.FromBase64String(inputBase64);
        Assert.Equal(expected, QuickXorHash.HashToBase64(input));
        foreach (var block in new[] { 1, 7, 16, 64, 159, 160, 161, 512 })
        {
            using var hash = new QuickXorHash();
            for (var i = 0; i < input.Length; i += block)
            {
                hash.Append(input.AsSpan(i, Math.Min(block, input.Length - i)));
            }

            Assert.Equal(expected, Convert.ToBase64String(hash.GetDigest()));
        }
    }

    [Fact]
    public void Append_AnySplitOfTheInput_GivesTheOneShotDigest()
    {
        Gen.Byte.Array[0, 1200].Select(Gen.Int[1, 400]).Sample((data, cut) =>
        {
            using var hash = new QuickXorHash();
            var at = Math.Min(cut, data.Length);
            hash.Append(data.AsSpan(0, at));
            hash.Append(data.AsSpan(at));
            Assert.Equal(QuickXorHash.HashData(data), hash.GetDigest());
        });
    }

    [Fact]
    public void ComputeHash_ThroughHashAlgorithmApi_MatchesHashData()
    {
        using var hash = new QuickXorHash();
        var data = Encoding.ASCII.GetBytes("hello world");
        Assert.Equal(160, hash.HashSize);
        Assert.Equal("aCgDG9jwBhDc4Q1yawMZAAAAAAA=", Convert.ToBase64String(hash.ComputeHash(data)));
        Assert.Equal("aCgDG9jwBhDc4Q1yawMZAAAAAAA=", Convert.ToBase64String(hash.ComputeHash(new MemoryStream(data))));
    }

    [Fact]
    public async Task HashToBase64Async_Stream_MatchesOneShot()
    {
        var data = new byte[300_001];
        new Random(7).NextBytes(data);
        Assert.Equal(QuickXorHash.HashToBase64(data), await QuickXorHash.HashToBase64Async(new MemoryStream(data)));
    }
}
