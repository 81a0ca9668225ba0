namespace SyncFunctions.Cli.Commands;

/// <summary>Runs work for many items with at most N at a time.</summary>
internal static class Bounded
{
    /// <summary>
    /// Calls <paramref name="body"/> for every item, at most <paramref name="atOnce"/> at a time, starting them in the
    /// items' order; the results come back in that order too. A body that throws ends its own item only (the exception
    /// comes out of the returned task once every item has ended).
    /// </summary>
    /// <remarks>Each body runs on the thread pool, so a body that works synchronously before its first await holds no other back.</remarks>
    public static async Task<TResult[]> RunAsync<TItem, TResult>(IReadOnlyList<TItem> items, int atOnce, Func<TItem, Task<TResult>> body)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfLessThan(atOnce, 1);
        using var slots = new SemaphoreSlim(atOnce, atOnce);
        var tasks = new Task<TResult>[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            // Waiting here, in order, is what starts the items in order.
            await slots.WaitAsync().ConfigureAwait(false);
            var item = items[i];
            tasks[i] = Task.Run(async () =>
            {
                try
                {
                    return await body(item).ConfigureAwait(false);
                }
                finally
                {
                    slots.Release();
                }
            });
        }

        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }
}
