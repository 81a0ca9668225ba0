using System.Text;
using CsCheck;
using SyncFunctions.Abstractions;
using SyncFunctions.Azure;

namespace SyncFunctions.IntegrationTests.Azure;

/// <summary>
/// Azure sorts names by UTF-8 bytes (code points), syncfn by UTF-16 code units; the buffer must turn either
/// order into ordinal order and refuse anything else.
/// </summary>
public sealed class OrdinalReorderBufferTests
{
    // Characters on both sides of the place where the two orders disagree (surrogates vs U+E000..U+FFFF).
    private static readonly Gen<string> Name =
        Gen.OneOf("a", "b", "/", "\uE000", "\uFFFD", "\uD7FF", "😀", "\U00010000", "日")
            .Array[1, 5]
            .Select(string.Concat);

    private static readonly Comparison<string> CodePointOrder =
        (x, y) => Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y));

    [Fact]
    public void Add_CodePointOrderedInput_EmitsOrdinalOrder()
    {
        Name.List[0, 40].Sample(
            names =>
            {
                var input = names.Distinct().ToList();
                input.Sort(CodePointOrder);

                Assert.Equal(input.Order(StringComparer.Ordinal), Run(input));
            },
            iter: 2000);
    }

    [Fact]
    public void Add_OrdinalOrderedInput_PassesThroughUnchanged()
    {
        Name.List[0, 40].Sample(
            names =>
            {
                var input = names.Distinct().Order(StringComparer.Ordinal).ToList();

                Assert.Equal(input, Run(input));
            },
            iter: 2000);
    }

    [Fact]
    public void Add_NamesWithoutPrivateUseCharacters_AreEmittedImmediately()
    {
        var buffer = new OrdinalReorderBuffer<string>(s => s);
        var ready = new List<string>();

        buffer.Add("a", ready);
        buffer.Add("b/😀", ready);

        Assert.Equal(["a", "b/😀"], ready);
    }

    [Fact]
    public void Add_OutOfAnyOrder_ThrowsStorageException()
    {
        var buffer = new OrdinalReorderBuffer<string>(s => s);
        var ready = new List<string>();
        buffer.Add("b", ready);

        var e = Assert.Throws<StorageException>(() => buffer.Add("a", ready));

        Assert.Contains("out of both ordinal and code-point order", e.Message, StringComparison.Ordinal);
    }

    private static List<string> Run(IEnumerable<string> input)
    {
        var buffer = new OrdinalReorderBuffer<string>(s => s);
        var output = new List<string>();
        foreach (var name in input)
        {
            buffer.Add(name, output);
        }

        buffer.Complete(output);
        return output;
    }
}
