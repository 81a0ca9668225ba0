using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots.Format;
using TreeEntry = SyncFunctions.Core.Snapshots.Format.TreeEntry;

namespace SyncFunctions.Core.Snapshots.Destination;

/// <summary>
/// One pair's view of a <see cref="RepositoryDestination"/>: it lists the files of the pair's latest snapshot (their
/// versions are <see cref="ContentReference"/>s), writes content into the repository and commits the run's baseline as
/// the next snapshot.
/// </summary>
/// <remarks>
/// Writes are content-addressed and never overwrite anything, so their conditions have nothing to guard: a retried
/// write stores nothing new and returns the same reference. A delete is a file the next snapshot leaves out (the
/// baseline no longer has it). The pair's head, the one mutable object, moves under its ETag at commit. Thread-safe.
/// </remarks>
internal sealed class RepositoryPairStore(RepositoryDestination destination, string pairId) : IObjectStore, ISnapshotCommitter
{
    private const int TreeCacheLimit = 4096;
    private readonly ConcurrentDictionary<ObjectId, TreeManifest> _trees = new();

    public string DisplayName => destination.DisplayName;

    public T? GetCapability<T>()
        where T : class => this as T;

    public async IAsyncEnumerable<ListingEntry> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (await destination.OpenAsync(create: false, cancellationToken).ConfigureAwait(false) is not { } opened)
        {
            yield break; // nothing written yet: the repository is created by the first write
        }

        // Other processes may have stored chunks since this one opened the repository: know them, so they are not sent again.
        await opened.Repository.Content.RefreshAsync(cancellationToken).ConfigureAwait(false);
        if (await HeadRecordAsync(opened, cancellationToken).ConfigureAwait(false) is not { } head)
        {
            yield break;
        }

        await foreach (var file in opened.Reader.WalkAsync(head.Id, cancellationToken).ConfigureAwait(false))
        {
            yield return ListingEntry.Of(InfoOf(file.Path, file.Entry));
        }
    }

    public async Task<ObjectInfo?> GetInfoAsync(string path, CancellationToken cancellationToken)
    {
        var found = await FindAsync(path, cancellationToken).ConfigureAwait(false);
        return found is null ? null : InfoOf(path, found.Value.Entry);
    }

    public async Task<Stream> OpenReadAsync(string path, long offset, long? length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var found = await FindAsync(path, cancellationToken).ConfigureAwait(false)
            ?? throw new StorageException(StorageErrorKind.NotFound, $"'{path}' is not in the latest snapshot of pair {pairId} in {DisplayName}");
        var (entry, content) = found;
        Stream whole = new RestoreStream(content, new SnapshotFileEntry(path, entry));
        return offset == 0 && length is null ? whole : new RangeStream(whole, offset, length ?? Math.Max(0, entry.Size - offset));
    }

    public async Task<WriteResult> WriteAsync(string path, Stream content, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(options);
        var opened = (await destination.OpenAsync(create: true, cancellationToken).ConfigureAwait(false))!;
        var file = await opened.Writer.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        if (options.Sha256 is { } expected && !string.Equals(expected, file.ContentHash.ToString(), StringComparison.OrdinalIgnoreCase))
        {
            throw new StorageException(
                StorageErrorKind.Transient, $"'{path}' read as content with SHA-256 {file.ContentHash}, not {expected} as hashed before: it changed while it was read");
        }

        var (reference, tree) = ContentReference.Of(file.ContentHash, file.Chunks);
        if (tree is not null)
        {
            await opened.Repository.Content.WriteObjectAsync(RepositoryLayout.TreePath(tree.Id), tree.Bytes, cancellationToken).ConfigureAwait(false);
        }

        return new WriteResult(reference, destination.Time.GetUtcNow());
    }

    public Task DeleteAsync(string path, WriteOptions options, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<SnapshotCommitted> CommitSnapshotAsync(SnapshotCommitRequest request, IAsyncEnumerable<BaselineEntry> baseline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(baseline);
        var opened = (await destination.OpenAsync(create: true, cancellationToken).ConfigureAwait(false))!;
        var info = new SnapshotInfo(new SnapshotPair(pairId, null), request.Source, request.Host, request.RunId) { Tags = request.Partial ? ["partial"] : [] };
        var stored = await new SnapshotWriter(opened.Repository, destination.Time)
            .WriteAsync(FilesOf(opened, baseline, cancellationToken), info, cancellationToken).ConfigureAwait(false);
        return new SnapshotCommitted(stored.Id.ToString(), stored.Record.Files, stored.Record.Bytes);
    }

    private static ObjectInfo InfoOf(string path, TreeEntry entry) =>
        new(path, entry.Size, entry.Modified, ContentReference.Of(entry.ContentHash!.Value, entry.Chunks).Reference, entry.ContentHash.Value.ToString());

    private async IAsyncEnumerable<SnapshotFile> FilesOf(
        RepositoryDestination.Opened opened, IAsyncEnumerable<BaselineEntry> baseline, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entry in baseline.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (entry.DestETag is not { } reference)
            {
                throw new InvalidOperationException($"the baseline of pair {pairId} has '{entry.Path}' with no content reference: it was not written to this repository");
            }

            FileContent content;
            try
            {
                content = await ContentReference.ResolveAsync(reference, (id, ct) => TreeAsync(opened, id, ct), cancellationToken).ConfigureAwait(false);
            }
            catch (FormatException e)
            {
                throw new InvalidOperationException($"the baseline of pair {pairId} has '{entry.Path}' with {e.Message}", e);
            }

            yield return new SnapshotFile(entry.Path, entry.LastModified, content);
        }
    }

    /// <summary>The pair's head snapshot, or null when it has none.</summary>
    private async Task<StoredSnapshot?> HeadRecordAsync(RepositoryDestination.Opened opened, CancellationToken cancellationToken)
    {
        var (head, _) = await new SnapshotWriter(opened.Repository, destination.Time)
            .ReadHeadAsync(pairId, RepositoryLayout.HeadPath(pairId), cancellationToken).ConfigureAwait(false);
        return head is null ? null : new StoredSnapshot(head.Snapshot, await opened.Reader.GetAsync(head.Snapshot, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The file at <paramref name="path"/> in the pair's latest snapshot, or null.</summary>
    private async Task<(TreeEntry Entry, RepositoryContent Content)?> FindAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (await destination.OpenAsync(create: false, cancellationToken).ConfigureAwait(false) is not { } opened
            || await HeadRecordAsync(opened, cancellationToken).ConfigureAwait(false) is not { } head)
        {
            return null;
        }

        var tree = await TreeAsync(opened, head.Record.RootTree, cancellationToken).ConfigureAwait(false);
        var names = path.Split('/');
        for (var i = 0; ; i++)
        {
            var entry = tree.Find(names[i]);
            if (entry is null)
            {
                return null;
            }

            if (i == names.Length - 1)
            {
                return entry.Kind == TreeEntryKind.File ? (entry, opened.Repository.Content) : null;
            }

            if (entry.Kind != TreeEntryKind.Directory)
            {
                return null;
            }

            tree = await TreeAsync(opened, entry.Subtree!.Value, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A tree, from a small cache (trees are content-addressed: an id always names the same tree).</summary>
    private async Task<TreeManifest> TreeAsync(RepositoryDestination.Opened opened, ObjectId id, CancellationToken cancellationToken)
    {
        if (_trees.TryGetValue(id, out var cached))
        {
            return cached;
        }

        var tree = await opened.Reader.ReadTreeAsync(id, cancellationToken).ConfigureAwait(false);
        if (_trees.Count >= TreeCacheLimit)
        {
            _trees.Clear();
        }

        _trees[id] = tree;
        return tree;
    }

    /// <summary>Bytes <c>[offset, offset + length)</c> of a forward stream.</summary>
    private sealed class RangeStream(Stream inner, long offset, long length) : ReadOnlyForwardStream
    {
        private long _skip = offset;
        private long _left = length;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var scratch = new byte[Math.Min(_skip, 81920)];
            while (_skip > 0)
            {
                var n = await inner.ReadAsync(scratch.AsMemory(0, (int)Math.Min(_skip, scratch.Length)), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    return 0;
                }

                _skip -= n;
            }

            if (_left == 0 || buffer.IsEmpty)
            {
                return 0;
            }

            var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken).ConfigureAwait(false);
            _left -= read;
            return read;
        }

        public override int Read(byte[] buffer, int offset, int count) =>
            ReadAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
