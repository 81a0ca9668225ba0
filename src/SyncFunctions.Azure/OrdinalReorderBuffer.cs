using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>
/// Turns a listing in code-point order (UTF-8 binary order, as Azure Storage sorts names) into ordinal
/// UTF-16 order (the canonical order of syncfn), holding back as few entries as possible.
/// </summary>
/// <remarks>
/// The two orders differ only where one name has a supplementary character (a surrogate pair, e.g. an emoji)
/// and the other a character in U+E000..U+FFFF at the first position where they differ: code-point order puts
/// the supplementary character last, UTF-16 order first. So a name is held back only when it contains a
/// character in U+E000..U+FFFF, and only while the listing is still inside the block of names that share its
/// prefix up to that character; every other name passes straight through. A listing that is already in
/// ordinal order (Azurite sorts with JavaScript string comparison) passes through unchanged.
/// Input in neither order is reported, never silently reordered. Not thread-safe: one per enumeration.
/// </remarks>
internal sealed class OrdinalReorderBuffer<T>(Func<T, string> keyOf)
{
    private readonly SortedDictionary<string, T> _pending = new(StringComparer.Ordinal);
    private string? _lastEmitted;

    /// <summary>Accepts the next entry in service order; appends to <paramref name="ready"/> what can be emitted now.</summary>
    public void Add(T item, List<T> ready)
    {
        var key = keyOf(item);
        if (_pending.Count == 0 && FirstPrivateUseIndex(key) < 0)
        {
            Emit(key, item, ready);
            return;
        }

        if (!_pending.TryAdd(key, item))
        {
            throw OutOfOrder(key);
        }

        while (_pending.Count > 0)
        {
            var (minKey, minItem) = _pending.First();
            var k = FirstPrivateUseIndex(minKey);
            if (k >= 0 && key.StartsWith(minKey[..k], StringComparison.Ordinal))
            {
                // A later name with this prefix and a supplementary character may still sort before it.
                break;
            }

            _pending.Remove(minKey);
            Emit(minKey, minItem, ready);
        }
    }

    /// <summary>The listing ended: everything held back is emitted, in order.</summary>
    public void Complete(List<T> ready)
    {
        foreach (var (key, item) in _pending)
        {
            Emit(key, item, ready);
        }

        _pending.Clear();
    }

    private void Emit(string key, T item, List<T> ready)
    {
        if (_lastEmitted is not null && RelativePath.Order.Compare(_lastEmitted, key) >= 0)
        {
            throw OutOfOrder(key);
        }

        _lastEmitted = key;
        ready.Add(item);
    }

    private static int FirstPrivateUseIndex(string key)
    {
        for (var i = 0; i < key.Length; i++)
        {
            if (key[i] >= '\uE000')
            {
                return i;
            }
        }

        return -1;
    }

    private StorageException OutOfOrder(string key) => new(
        StorageErrorKind.Permanent,
        $"The service listed '{key}' after '{_lastEmitted}', out of both ordinal and code-point order; refusing to continue.");
}
