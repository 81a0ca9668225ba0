using SyncFunctions.Core.Chunking;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots;

/// <summary>
/// One worker's way of storing chunks: a chunk the repository (or this writer) already has is skipped, the rest go
/// into packs; a full pack is uploaded at once, and <see cref="FlushAsync"/> uploads the last one and writes one
/// index for every pack uploaded since the previous flush.
/// </summary>
/// <remarks>
/// <para>
/// Chunks are durable only after <see cref="FlushAsync"/> returned (see <see cref="RepositoryContent"/>): flush
/// before marking the work that made them done. Packs and indexes are content-addressed and written if absent, so a
/// retried upload or a second writer of the same bytes is harmless; a pack that failed to upload is kept and sent
/// again by the next add or flush.
/// </para>
/// <para>Not thread-safe: one writer per worker. Made by <see cref="RepositoryContent.NewWriter"/>.</para>
/// </remarks>
public sealed class ChunkWriter
{
    private readonly HashSet<ObjectId> _unflushed = [];
    private readonly List<SealedPack> _unsent = [];
    private readonly List<PackWriter> _full = [];
    private readonly List<IndexedPack> _unindexed = [];
    private readonly int _packTargetLength;
    private PackWriter? _pack;

    internal ChunkWriter(RepositoryContent content, int packTargetLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(packTargetLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(packTargetLength, PackFormat.MaxPackLength);
        Content = content;
        _packTargetLength = packTargetLength;
    }

    /// <summary>The content this writer adds to.</summary>
    public RepositoryContent Content { get; }

    /// <summary>Chunks put into packs (new to the repository).</summary>
    public long ChunksStored { get; private set; }

    /// <summary>Chunks skipped because the repository or this writer had them.</summary>
    public long ChunksSkipped { get; private set; }

    /// <summary>The raw bytes of the chunks put into packs.</summary>
    public long BytesStored { get; private set; }

    /// <summary>Packs uploaded (including ones that turned out to be there already).</summary>
    public int PacksUploaded { get; private set; }

    /// <summary>Indexes written by flushes.</summary>
    public int IndexesWritten { get; private set; }

    /// <summary>
    /// Adds a chunk cut by <see cref="ContentChunker"/>: true when it was put into a pack, false when the repository
    /// or this writer has it already. Its bytes are copied before this returns.
    /// </summary>
    /// <exception cref="ArgumentException">The chunk's SHA-256 is not that of its bytes, or it is empty or too long.</exception>
    public ValueTask<bool> AddAsync(ContentChunk chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        return AddAsync(ObjectId.FromBytes(chunk.Sha256), chunk.Data, cancellationToken);
    }

    /// <summary>Adds a chunk of bytes (its id is their SHA-256): true when it was put into a pack.</summary>
    /// <exception cref="ArgumentException">The chunk is empty or too long.</exception>
    public ValueTask<bool> AddAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken) =>
        AddAsync(ObjectId.Of(chunk.Span), chunk, cancellationToken);

    /// <summary>
    /// Uploads the pack being filled and any not sent yet, then writes one index of every pack uploaded since the
    /// last flush; once this returns, every chunk added so far is durable and known to <see cref="Content"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the uploads; what was not written is kept for the next flush.</param>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        SealTaken(sealCurrent: true);
        await UploadUnsentAsync(cancellationToken).ConfigureAwait(false);
        await WriteIndexAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds a prepared chunk without uploading anything: a pack that fills up waits in <see cref="TakeFull"/> for the
    /// caller to seal and upload it (outside the lock that serialises a shared writer's adds). True when it was put
    /// into a pack, false when the repository or this writer has it already.
    /// </summary>
    internal bool AddPrepared(PreparedChunk chunk)
    {
        if (Skips(chunk.Id))
        {
            return false;
        }

        _pack ??= new PackWriter(_packTargetLength);
        _pack.Add(chunk);
        _unflushed.Add(chunk.Id);
        ChunksStored++;
        BytesStored += chunk.Raw.Length;
        if (_pack.IsFull)
        {
            _full.Add(_pack);
            _pack = null;
        }

        return true;
    }

    /// <summary>The packs that filled up since the last call (and the one being filled, when <paramref name="sealCurrent"/>), to seal and upload.</summary>
    internal List<PackWriter> TakeFull(bool sealCurrent)
    {
        if (sealCurrent && _pack is { Count: > 0 })
        {
            _full.Add(_pack);
            _pack = null;
        }

        var full = new List<PackWriter>(_full);
        _full.Clear();
        return full;
    }

    /// <summary>Records a pack of <see cref="TakeFull"/> as stored: the next index names it.</summary>
    internal void Uploaded(SealedPack pack)
    {
        PacksUploaded++;
        _unindexed.Add(new IndexedPack(pack.Id, pack.Entries));
    }

    /// <summary>Gives back a pack of <see cref="TakeFull"/> whose upload failed: <see cref="FlushIndexAsync"/> sends it again.</summary>
    internal void UploadFailed(SealedPack pack) => _unsent.Add(pack);

    /// <summary>
    /// Uploads the packs given back, then writes one index of every pack stored since the last index; the pack being
    /// filled and packs taken but not yet recorded are left for a later index.
    /// </summary>
    internal async Task FlushIndexAsync(CancellationToken cancellationToken)
    {
        await UploadUnsentAsync(cancellationToken).ConfigureAwait(false);
        await WriteIndexAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<bool> AddAsync(ObjectId id, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        // Checked before hashing and compressing: a known chunk costs neither.
        if (Skips(id))
        {
            return false;
        }

        var actual = ObjectId.Of(data.Span);
        if (actual != id)
        {
            throw new ArgumentException($"the chunk's SHA-256 is given as {id} but its bytes hash to {actual}", nameof(data));
        }

        AddPrepared(PackWriter.Prepare(id, data));
        SealTaken(sealCurrent: false);
        await UploadUnsentAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>True (and counted as skipped) when the repository or this writer has the chunk already.</summary>
    private bool Skips(ObjectId id)
    {
        if (_unflushed.Contains(id) || Content.Contains(id))
        {
            ChunksSkipped++;
            return true;
        }

        return false;
    }

    /// <summary>Seals the packs that filled up (and the one being filled, when <paramref name="sealCurrent"/>) for <see cref="UploadUnsentAsync"/>.</summary>
    private void SealTaken(bool sealCurrent)
    {
        foreach (var full in TakeFull(sealCurrent))
        {
            _unsent.Add(full.Finish());
        }
    }

    private async Task WriteIndexAsync(CancellationToken cancellationToken)
    {
        if (_unindexed.Count == 0)
        {
            return;
        }

        var index = new PackIndex(_unindexed).Encode();
        await Content.WriteObjectAsync(RepositoryLayout.IndexPath(index.Id), index.Bytes, cancellationToken).ConfigureAwait(false);
        IndexesWritten++;
        Content.AddIndexed(index.Id, _unindexed);

        // Chunks of packs still being uploaded stay known to this writer: they are not in this index.
        foreach (var pack in _unindexed)
        {
            foreach (var entry in pack.Chunks)
            {
                _unflushed.Remove(entry.ChunkId);
            }
        }

        _unindexed.Clear();
    }

    private async Task UploadUnsentAsync(CancellationToken cancellationToken)
    {
        while (_unsent.Count > 0)
        {
            var pack = _unsent[0];
            await Content.WriteObjectAsync(RepositoryLayout.PackPath(pack.Id), pack.Content, cancellationToken).ConfigureAwait(false);
            PacksUploaded++;
            _unsent.RemoveAt(0);
            _unindexed.Add(new IndexedPack(pack.Id, pack.Entries));
        }
    }
}
