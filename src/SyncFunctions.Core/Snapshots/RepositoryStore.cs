using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Snapshots;

/// <summary>The few store operations every layer of the repository uses: whole reads, write-if-absent.</summary>
internal static class RepositoryStore
{
    /// <summary>The whole object at <paramref name="path"/>, or null when nothing is there.</summary>
    public static async Task<byte[]?> TryReadAllAsync(IObjectStore store, string path, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await store.OpenReadAsync(path, 0, null, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
                return buffer.ToArray();
            }
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes a content-addressed object unless one is there already; false when it was (the same bytes, since
    /// the name is their hash).
    /// </summary>
    public static async Task<bool> WriteIfAbsentAsync(IObjectStore store, string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        try
        {
            using var content = ReadOnlyStream(bytes);
            await store.WriteAsync(path, content, new WriteOptions(IfNoneMatch: true), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.PreconditionFailed)
        {
            return false;
        }
    }

    /// <summary>A read-only stream over <paramref name="bytes"/>, without copying them when they are an array's.</summary>
    public static MemoryStream ReadOnlyStream(ReadOnlyMemory<byte> bytes) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);

    /// <summary>Every path of the store that starts with <paramref name="folder"/>, in listing (ordinal) order.</summary>
    public static async IAsyncEnumerable<ObjectInfo> ListFolderAsync(
        IObjectStore store, string folder, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entry in store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (entry.Object is not { } info)
            {
                continue;
            }

            if (info.Path.StartsWith(folder, StringComparison.Ordinal))
            {
                yield return info;
            }
            else if (string.CompareOrdinal(info.Path, folder) > 0)
            {
                // Listings are in ordinal order: nothing after this can be in the folder.
                yield break;
            }
        }
    }
}
