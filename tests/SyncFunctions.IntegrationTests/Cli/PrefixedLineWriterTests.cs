using SyncFunctions.Cli.Output;

namespace SyncFunctions.IntegrationTests.Cli;

public sealed class PrefixedLineWriterTests
{
    [Fact]
    public void Write_PiecesOfALine_ReachTargetAsOneWholePrefixedLine()
    {
        using var target = new StringWriter();
        using var writer = new PrefixedLineWriter(target, "[docs] ");

        writer.Write("hel");
        writer.Write('l');
        var beforeEnd = target.ToString();
        writer.Write("o\nsecond line\r\nthird");
        writer.Flush();
        var beforeDispose = target.ToString();
        writer.Dispose();

        Assert.Equal("", beforeEnd);
        Assert.Equal("[docs] hello\n[docs] second line\n", beforeDispose);
        Assert.Equal("[docs] hello\n[docs] second line\n[docs] third\n", target.ToString());
    }

    [Fact]
    public void WriteLine_EmptyLine_KeepsThePrefix()
    {
        using var target = new StringWriter();
        using (var writer = new PrefixedLineWriter(target, "[a] "))
        {
            writer.WriteLine();
            writer.WriteLine("x");
        }

        Assert.Equal("[a] \n[a] x\n", target.ToString());
    }

    [Fact]
    public async Task Write_ManyWritersAndThreadsOnOneTarget_EveryLineWholeAndPrefixedOnce()
    {
        using var target = new StringWriter();
        const int Writers = 4;
        const int ThreadsPerWriter = 3;
        const int Lines = 300;
        var writers = Enumerable.Range(0, Writers).Select(w => new PrefixedLineWriter(target, $"[p{w}] ")).ToArray();

        // Each line goes out in three pieces, so unsynchronised writers would split and mix lines.
        var work = from w in Enumerable.Range(0, Writers)
                   from t in Enumerable.Range(0, ThreadsPerWriter)
                   select Task.Run(() =>
                   {
                       for (var i = 0; i < Lines; i++)
                       {
                           writers[w].Write($"<p{w}");
                           writers[w].Write($" t{t} ");
                           writers[w].Write($"n{i}>\n");
                       }
                   });
        await Task.WhenAll(work);
        foreach (var writer in writers)
        {
            writer.Dispose();
        }

        var lines = target.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Writers * ThreadsPerWriter * Lines, lines.Length);
        Assert.All(lines, line => Assert.Matches(@"^\[p(\d)\] <p\1 t\d n\d+>$", line));
    }
}
