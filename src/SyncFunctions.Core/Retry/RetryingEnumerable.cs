using System.Runtime.CompilerServices;

namespace SyncFunctions.Core.Retry;

/// <summary>Retries the start of a streamed listing: until its first item arrives, a retryable failure starts it again.</summary>
/// <remarks>
/// A failure after items were yielded is not retried here (the caller has consumed them; a generic listing cannot
/// resume in the middle): it reaches the step, and steps are idempotent, so the driver runs the step again.
/// </remarks>
internal static class RetryingEnumerable
{
    public static async IAsyncEnumerable<T> Create<T>(RetryPolicy policy, Func<CancellationToken, IAsyncEnumerable<T>> open, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IAsyncEnumerator<T>? e = null;
        try
        {
            var any = await policy.ExecuteAsync(
                async ct =>
                {
                    if (e is not null)
                    {
                        await e.DisposeAsync().ConfigureAwait(false);
                    }

                    e = open(ct).GetAsyncEnumerator(ct);
                    return await e.MoveNextAsync().ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            if (!any)
            {
                yield break;
            }

            yield return e!.Current;
            while (await e.MoveNextAsync().ConfigureAwait(false))
            {
                yield return e.Current;
            }
        }
        finally
        {
            if (e is not null)
            {
                await e.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
