using System.Runtime.CompilerServices;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>
/// Helpers that put the one classification boundary around SDK calls whose failures surface later:
/// paged enumerations and response body streams.
/// </summary>
internal static class Classified
{
    /// <summary>
    /// Enumerates <paramref name="source"/>, classifying any failure of fetching the next element.
    /// (A <c>yield return</c> cannot sit inside a try/catch, hence the manual enumerator.)
    /// </summary>
    public static async IAsyncEnumerable<T> Enumerate<T>(
        IAsyncEnumerable<T> source,
        string operation,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var enumerator = source.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                T current;
                try
                {
                    if (!await enumerator.MoveNextAsync())
                    {
                        yield break;
                    }

                    current = enumerator.Current;
                }
                catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
                {
                    throw AzureErrors.Classify(e, operation);
                }

                yield return current;
            }
        }
        finally
        {
            await enumerator.DisposeAsync();
        }
    }
}

/// <summary>
/// A read-only stream over a download body that classifies read failures (connection reset mid-body,
/// timeouts) as <see cref="Abstractions.StorageException"/>, so callers see one exception type.
/// </summary>
internal sealed class ClassifyingReadStream(Stream inner, string operation) : ReadOnlyForwardStream
{
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        try
        {
            return inner.Read(buffer, offset, count);
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, CancellationToken.None))
        {
            throw AzureErrors.Classify(e, operation);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, operation);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
