using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Retry;

/// <summary>
/// A store with every call retried by one <see cref="RetryPolicy"/>, offering exactly the capabilities of the store
/// it wraps (<see cref="IObjectStore.GetCapability{T}"/>). Applied once, at the composition root.
/// </summary>
/// <remarks>
/// <para>Writes are retried only when their content can be sent again (a seekable stream is rewound); a streamed
/// body that cannot be rewound fails with the first error. Reads are retried at open, and a retryable failure in
/// the middle of a body re-opens the object at the byte where it stopped (<see cref="ResumingReadStream"/>).</para>
/// <para>Thread-safe when the inner store is.</para>
/// </remarks>
public sealed partial class RetryingObjectStore : IObjectStore
{
    private readonly IObjectStore _inner;
    private readonly RetryPolicy _policy;

    public RetryingObjectStore(IObjectStore inner, RetryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner is RetryingObjectStore already ? already._inner : inner;
        _policy = policy;
    }

    /// <summary>The store this decorator wraps.</summary>
    public IObjectStore Inner => _inner;

    public string DisplayName => _inner.DisplayName;

    public T? GetCapability<T>()
        where T : class => _inner.GetCapability<T>() is null ? null : this as T;

    public IAsyncEnumerable<ListingEntry> ListAsync(CancellationToken cancellationToken) =>
        RetryingEnumerable.Create(_policy, ct => _inner.ListAsync(ct), cancellationToken);

    public Task<ObjectInfo?> GetInfoAsync(string path, CancellationToken cancellationToken) => Run(ct => _inner.GetInfoAsync(path, ct), cancellationToken);

    public Task<Stream> OpenReadAsync(string path, long offset, long? length, CancellationToken cancellationToken) =>
        OpenResumingAsync((o, l, ct) => _inner.OpenReadAsync(path, o, l, ct), offset, length, cancellationToken);

    public Task<WriteResult> WriteAsync(string path, Stream content, WriteOptions options, CancellationToken cancellationToken) =>
        RunWithBody(content, ct => _inner.WriteAsync(path, content, options, ct), cancellationToken);

    public Task DeleteAsync(string path, WriteOptions options, CancellationToken cancellationToken) => Run(ct => _inner.DeleteAsync(path, options, ct), cancellationToken);

    private T Capability<T>()
        where T : class => _inner.GetCapability<T>() ?? throw new NotSupportedException($"{_inner.DisplayName} has no {typeof(T).Name}");

    private async Task<Stream> OpenResumingAsync(Func<long, long?, CancellationToken, Task<Stream>> open, long offset, long? length, CancellationToken cancellationToken)
    {
        var first = await Run(ct => open(offset, length, ct), cancellationToken).ConfigureAwait(false);
        return new ResumingReadStream(first, open, offset, length, _policy);
    }

    private async Task<T> Run<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        await _policy.ExecuteAsync(async ct => await call(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private async Task Run(Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        await _policy.ExecuteAsync(async ct => await call(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>Retries a call that sends <paramref name="content"/>: rewound before each new attempt, or not retried when it cannot be.</summary>
    private async Task<T> RunWithBody<T>(Stream content, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        if (!content.CanSeek)
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }

        var start = content.Position;
        return await Run(
            ct =>
            {
                content.Position = start;
                return call(ct);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private async Task RunWithBody(Stream content, Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        await RunWithBody(
            content,
            async ct =>
            {
                await call(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
}
