using System.Collections;

namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>
/// An immutable list that equals another with the same items in the same order, so the format records holding one
/// (typed <see cref="IReadOnlyList{T}"/>) compare by value and cannot be changed behind an encoder's back.
/// </summary>
internal sealed class ValueList<T> : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    private readonly T[] _items;

    private ValueList(T[] items) => _items = items;

    public static ValueList<T> Empty { get; } = new([]);

    public int Count => _items.Length;

    public T this[int index] => _items[index];

    /// <summary>The items as a value list (the same instance when it is one already); null reads as empty.</summary>
    public static ValueList<T> From(IEnumerable<T>? items) => items switch
    {
        null => Empty,
        ValueList<T> list => list,
        _ => new([.. items]),
    };

    /// <summary>A value list of the array itself (not copied): only for arrays nothing else holds.</summary>
    public static ValueList<T> Wrap(T[] items) => items.Length == 0 ? Empty : new(items);

    public bool Equals(ValueList<T>? other) =>
        other is not null && (ReferenceEquals(this, other) || _items.AsSpan().SequenceEqual(other._items, EqualityComparer<T>.Default));

    public override bool Equals(object? obj) => obj is ValueList<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(_items.Length);
        foreach (var item in _items.AsSpan(0, Math.Min(_items.Length, 8)))
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => "[" + string.Join(", ", _items) + "]";

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();
}
