namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>An encoded content-addressed object (index, tree, snapshot): the bytes to store and their id.</summary>
public sealed class StoredObject
{
    internal StoredObject(byte[] bytes)
    {
        Bytes = bytes;
        Id = ObjectId.Of(bytes);
    }

    /// <summary>The SHA-256 of <see cref="Bytes"/>, the name it is stored under.</summary>
    public ObjectId Id { get; }

    /// <summary>The stored bytes.</summary>
    public byte[] Bytes { get; }

    /// <summary>Requires that <paramref name="stored"/> hashes to <paramref name="id"/>.</summary>
    internal static void CheckHash(string objectName, ObjectId id, ReadOnlySpan<byte> stored)
    {
        var actual = ObjectId.Of(stored);
        if (actual != id)
        {
            throw new RepositoryFormatException(objectName, FormatDamage.HashMismatch, $"content hashes to {actual}, not its id");
        }
    }
}
