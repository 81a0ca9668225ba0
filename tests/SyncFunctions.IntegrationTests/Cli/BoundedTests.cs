using SyncFunctions.Cli.Commands;

namespace SyncFunctions.IntegrationTests.Cli;

public sealed class BoundedTests
{
    [Fact]
    public async Task RunAsync_FiveItemsThreeAtOnce_NeverMoreThanThreeAndAllInOrder()
    {
        var gates = Enumerable.Range(0, 5).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var started = new List<int>();
        var threeStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (inFlight, most) = (0, 0);
        var gate = new object();

        var run = Bounded.RunAsync([0, 1, 2, 3, 4], 3, async item =>
        {
            lock (gate)
            {
                started.Add(item);
                most = Math.Max(most, ++inFlight);
                if (started.Count == 3)
                {
                    threeStarted.SetResult();
                }
            }

            await gates[item].Task;
            lock (gate)
            {
                inFlight--;
            }

            return item * 10;
        });

        await threeStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        int[] firstThree;
        lock (gate)
        {
            firstThree = [.. started];
        }

        // Release them out of order (two before they have even started): the bound must hold throughout.
        foreach (var item in new[] { 1, 0, 2, 4, 3 })
        {
            gates[item].SetResult();
        }

        var results = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([0, 1, 2], firstThree.Order());
        Assert.Equal(3, most);
        Assert.Equal([0, 10, 20, 30, 40], results);
        Assert.Equal([0, 1, 2, 3, 4], started.Order());
    }

    [Fact]
    public async Task RunAsync_OneAtATime_RunsStrictlyInItemOrder()
    {
        var order = new List<string>();

        var results = await Bounded.RunAsync(["c", "a", "b"], 1, async item =>
        {
            lock (order)
            {
                order.Add("start " + item);
            }

            await Task.Yield();
            lock (order)
            {
                order.Add("end " + item);
            }

            return item.ToUpperInvariant();
        });

        Assert.Equal(["start c", "end c", "start a", "end a", "start b", "end b"], order);
        Assert.Equal(["C", "A", "B"], results);
    }

    [Fact]
    public async Task RunAsync_NoItems_ReturnsEmpty()
    {
        var results = await Bounded.RunAsync(Array.Empty<int>(), 3, i => Task.FromResult(i));

        Assert.Empty(results);
    }
}
