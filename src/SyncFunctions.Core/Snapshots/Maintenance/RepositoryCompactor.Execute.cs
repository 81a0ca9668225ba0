using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

public sealed partial class RepositoryCompactor
{
    /// <summary>
    /// Executes <paramref name="plan"/>: writes the new packs, then the new index, then the mark (see the class remarks
    /// for why this order). Use a fresh plan: the index is written only while the plan is younger than
    /// <see cref="GcSafety.MinimumAge"/> (compaction, like a writer, finishes within it, so GC's marks protect what it
    /// relies on).
    /// </summary>
    /// <param name="plan">A plan of <see cref="PlanAsync"/>.</param>
    /// <param name="progress">Told after each repacked pack (from the executing thread; may be null).</param>
    /// <param name="cancellationToken">Cancels the reads and writes; what was written stays (safe).</param>
    /// <exception cref="SnapshotRepositoryException">The plan got older than the minimum age before the index was written: plan again.</exception>
    /// <exception cref="RepositoryFormatException">A pack to repack is gone or a chunk to move is damaged: the index is not written.</exception>
    public async Task<CompactReport> ExecuteAsync(CompactPlan plan, IProgress<CompactProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var report = CompactReport.Of(plan, false);
        // Current marks: a new pack or index that a mark names (an orphan of a crashed run, say) is written again.
        await _repository.Content.RefreshAsync(cancellationToken).ConfigureAwait(false);
        var written = await RepackAsync(plan.Repack, progress, cancellationToken).ConfigureAwait(false);
        string? indexPath = null;
        if (plan.WritesIndex)
        {
            if (_time.GetUtcNow() - plan.Time > _safety.MinimumAge)
            {
                throw new SnapshotRepositoryException(
                    $"the compaction plan of {plan.Time:u} is older than the minimum age {_safety.MinimumAge} of GC: plan again (the new packs are left to GC)");
            }

            var index = PackIndex.Merge([new PackIndex(plan.Kept), new PackIndex(written.Select(w => w.Indexed))]) with { Supersedes = plan.Supersedes };
            var encoded = index.Encode();
            indexPath = RepositoryLayout.IndexPath(encoded.Id);
            await _repository.Content.WriteObjectAsync(indexPath, encoded.Bytes, cancellationToken).ConfigureAwait(false);
            _repository.Content.AddIndexed(encoded.Id, written.Select(w => w.Indexed));
        }

        var mark = plan.Mark.Count == 0 ? null : await _collector.WriteMarkAsync(plan.Mark, cancellationToken).ConfigureAwait(false);
        return report with
        {
            PacksWritten = written.Count,
            PackBytesWritten = written.Sum(w => w.Length),
            IndexWritten = indexPath,
            MarkWritten = mark,
        };
    }

    /// <summary>Reads each pack to repack whole and copies its chunks to move (each checked against its id) into new packs.</summary>
    private async Task<List<(IndexedPack Indexed, long Length)>> RepackAsync(
        IReadOnlyList<CompactPack> repack, IProgress<CompactProgress>? progress, CancellationToken cancellationToken)
    {
        var written = new List<(IndexedPack, long)>();
        PackWriter? pack = null;
        var (done, moved) = (0, 0L);
        progress?.Report(new CompactProgress(0, repack.Count, 0));
        foreach (var source in repack)
        {
            done++;
            moved += source.MoveBytes;
            if (source.Move.Count == 0)
            {
                progress?.Report(new CompactProgress(done, repack.Count, moved));
                continue;
            }

            RepositoryLayout.TryParse(source.Pack.Path, out var parsed);
            var bytes = await RepositoryStore.TryReadAllAsync(_repository.Store, source.Pack.Path, cancellationToken).ConfigureAwait(false)
                ?? throw new RepositoryFormatException($"pack {parsed.Id}", FormatDamage.Missing, "is not in the store any more (compaction planned to repack it)");
            var reader = PackReader.Open(parsed.Id, bytes);
            foreach (var entry in source.Move)
            {
                pack ??= new PackWriter(_options.PackTargetLength);
                pack.Add(reader.ReadChunk(entry.ChunkId));
                if (pack.IsFull)
                {
                    written.Add(await UploadAsync(pack, cancellationToken).ConfigureAwait(false));
                    pack = null;
                }
            }

            progress?.Report(new CompactProgress(done, repack.Count, moved));
        }

        if (pack is { Count: > 0 })
        {
            written.Add(await UploadAsync(pack, cancellationToken).ConfigureAwait(false));
        }

        return written;
    }

    private async Task<(IndexedPack Indexed, long Length)> UploadAsync(PackWriter pack, CancellationToken cancellationToken)
    {
        var sealedPack = pack.Finish();
        await _repository.Content.WriteObjectAsync(RepositoryLayout.PackPath(sealedPack.Id), sealedPack.Content, cancellationToken).ConfigureAwait(false);
        return (new IndexedPack(sealedPack.Id, sealedPack.Entries), sealedPack.Length);
    }
}
