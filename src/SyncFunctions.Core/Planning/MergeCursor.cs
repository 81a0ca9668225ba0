namespace SyncFunctions.Core.Planning;

/// <summary>
/// One stream of a merge-join: holds the current item and checks that paths strictly increase.
/// </summary>
/// <remarks>Not thread-safe; owned by one merge.</remarks>
internal sealed class MergeCursor<T> : IAsyncDisposable
{
    private readonly IAsyncEnumerator<T>? _enumerator;
    private readonly string _name;
    private readonly Func<T, string> _pathOf;
    private bool _taken;

    public MergeCursor(IAsyncEnumerable<T>? stream, string name, Func<T, string> pathOf, CancellationToken cancellationToken)
    {
        _enumerator = stream?.GetAsyncEnumerator(cancellationToken);
        _name = name;
        _pathOf = pathOf;
    }

    public bool Has { get; private set; }

    public T? Current { get; private set; }

    /// <summary>The current path, or null when the stream has ended.</summary>
    public string? PathOrNull { get; private set; }

    /// <summary>Reads the next item; throws <see cref="OutOfOrderException"/> unless its path is greater than the last.</summary>
    public async ValueTask MoveAsync()
    {
        var previous = PathOrNull;
        _taken = false;
        if (_enumerator is null || !await _enumerator.MoveNextAsync())
        {
            Has = false;
            Current = default;
            PathOrNull = null;
            return;
        }

        var item = _enumerator.Current;
        var path = _pathOf(item);
        if (previous is not null && string.CompareOrdinal(previous, path) >= 0)
        {
            throw new OutOfOrderException(_name, previous, path);
        }

        Has = true;
        Current = item;
        PathOrNull = path;
    }

    /// <summary>Gives the current item when it is at <paramref name="path"/> (marking it consumed).</summary>
    public bool TryTake(string path, out T item)
    {
        if (!Has || !string.Equals(PathOrNull, path, StringComparison.Ordinal))
        {
            item = default!;
            return false;
        }

        _taken = true;
        item = Current!;
        return true;
    }

    /// <summary>Moves on when the current item was consumed by <see cref="TryTake"/>.</summary>
    public ValueTask AdvanceIfTaken() => _taken ? MoveAsync() : ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _enumerator?.DisposeAsync() ?? ValueTask.CompletedTask;
}
