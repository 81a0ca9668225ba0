using System.Globalization;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Destination;

/// <summary>
/// The version a snapshot destination gives a file's content (the baseline keeps it as the destination ETag): a pure
/// function of the content's hash and chunks, so the write that stored it and the listing of a snapshot that holds it
/// give the same text, and an unchanged file plans nothing.
/// </summary>
/// <remarks>
/// <c>e1</c> is an empty file; <c>c1:CHUNK.LENGTH</c> a file of one chunk (its content hash is that chunk's id);
/// <c>t1:TREE</c> a file of several chunks, whose chunk list is a tree of one entry named <c>content</c> with time
/// 1970-01-01 (stored when the file is written, so the reference stays short whatever the file's size).
/// </remarks>
internal static class ContentReference
{
    private const string Empty = "e1";
    private const string OneChunk = "c1:";
    private const string ChunkList = "t1:";
    private const string EntryName = "content";

    /// <summary>The reference of a file's content and, for a file of several chunks, the tree to store first.</summary>
    public static (string Reference, StoredObject? Tree) Of(ObjectId contentHash, IReadOnlyList<ChunkRef> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        switch (chunks.Count)
        {
            case 0:
                return (Empty, null);
            case 1:
                return (OneChunk + chunks[0].Id + "." + chunks[0].Length.ToString(CultureInfo.InvariantCulture), null);
            default:
                var tree = new TreeManifest([TreeEntry.File(EntryName, DateTimeOffset.UnixEpoch, contentHash, chunks)]).Encode();
                return (ChunkList + tree.Id, tree);
        }
    }

    /// <summary>The content a reference names; <paramref name="readTree"/> reads the chunk list of a <c>t1:</c> one.</summary>
    /// <exception cref="FormatException">The text is not a reference of this format.</exception>
    public static async Task<FileContent> ResolveAsync(string reference, Func<ObjectId, CancellationToken, Task<TreeManifest>> readTree, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(readTree);
        if (reference == Empty)
        {
            return new FileContent(TreeEntry.EmptyContentHash, 0, []);
        }

        if (reference.StartsWith(OneChunk, StringComparison.Ordinal))
        {
            var text = reference.AsSpan(OneChunk.Length);
            var dot = text.IndexOf('.');
            if (dot == ObjectId.HexLength && ObjectId.TryParse(text[..dot], out var id)
                && int.TryParse(text[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                && length is > 0 and <= PackFormat.MaxChunkLength)
            {
                return new FileContent(id, length, [new ChunkRef(id, length)]);
            }
        }
        else if (reference.StartsWith(ChunkList, StringComparison.Ordinal) && ObjectId.TryParse(reference.AsSpan(ChunkList.Length), out var treeId))
        {
            var tree = await readTree(treeId, cancellationToken).ConfigureAwait(false);
            if (tree.Entries is [{ Kind: TreeEntryKind.File, Name: EntryName } entry])
            {
                return new FileContent(entry.ContentHash!.Value, entry.Size, entry.Chunks);
            }

            throw new FormatException($"tree {treeId} named by content reference '{reference}' is not the chunk list of one file");
        }

        throw new FormatException($"'{reference}' is not a snapshot content reference (e1, c1:CHUNK.LENGTH or t1:TREE)");
    }
}
