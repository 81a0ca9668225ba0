using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace SyncFunctions.Core.Observe;

/// <summary>
/// Reads a stream ahead on its own task into a bounded buffer, so the three listings of a march (source,
/// baseline, destination) travel in parallel instead of one round trip after another; memory stays bounded.
/// </summary>
internal static class Prefetch
{
    public static async IAsyncEnumerable<T> AheadAsync<T>(IAsyncEnumerable<T> source, int capacity, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(
            async () =>
            {
                try
                {
                    await foreach (var item in source.WithCancellation(stop.Token).ConfigureAwait(false))
                    {
                        await channel.Writer.WriteAsync(item, stop.Token).ConfigureAwait(false);
                    }

                    channel.Writer.Complete();
                }
                catch (Exception ex)
                {
                    channel.Writer.Complete(ex);
                }
            },
            CancellationToken.None);

        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (ChannelClosedException ex) when (ex.InnerException is { } inner)
                {
                    // The listing's own failure (e.g. a missing source folder), not the channel's wrapper.
                    ExceptionDispatchInfo.Throw(inner);
                    throw;
                }

                if (!more)
                {
                    yield break;
                }

                while (channel.Reader.TryRead(out var item))
                {
                    yield return item;
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped early on purpose.
            }
        }
    }
}
