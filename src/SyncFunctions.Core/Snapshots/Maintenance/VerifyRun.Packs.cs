using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

internal sealed partial class VerifyRun
{
    /// <summary>How much of a pack's end is read first: most footers fit, so one read is enough.</summary>
    private const int FirstTailLength = 64 * 1024;

    /// <summary>Whole packs read at once (each is held in memory while its chunks are decoded).</summary>
    private const int DataParallelism = 4;

    private readonly HashSet<ObjectId> _soundPacks = [];
    private readonly List<ObjectId> _readPacks = [];
    private long _bytesRead;
    private long _chunksRead;

    /// <summary>Every pack a live index names: in the store, as long as the index implies, with the footer the index describes.</summary>
    public async Task CheckPacksAsync()
    {
        var packs = Indexes.Packs.OrderBy(p => p.Key).ToList();
        var phase = new PhaseProgress(progress, VerifyPhase.Packs, packs.Count);
        await System.Threading.Tasks.Parallel.ForEachAsync(packs, Options, async (pack, ct) =>
        {
            if (await CheckPackAsync(pack.Key, pack.Value, ct).ConfigureAwait(false))
            {
                lock (_gate)
                {
                    _soundPacks.Add(pack.Key);
                }
            }

            phase.Step();
        }).ConfigureAwait(false);
        phase.Finish();
    }

    /// <summary>
    /// Reads whole every sound pack that holds a chunk of a snapshot and is in the subset, and decodes each of its
    /// chunks (checked against its id); a pack whose chunks are all sound must also hash to its id.
    /// </summary>
    public async Task ReadDataAsync(double subset)
    {
        var packs = Indexes.Packs
            .Where(p => _soundPacks.Contains(p.Key) && RepositoryVerifier.IsInSubset(p.Key, subset)
                && p.Value.Any(n => n.Pack.Chunks.Any(c => _referenced.Contains(c.ChunkId))))
            .Select(p => p.Key)
            .Order()
            .ToList();
        var phase = new PhaseProgress(progress, VerifyPhase.Data, packs.Count);
        var options = new ParallelOptions { MaxDegreeOfParallelism = DataParallelism, CancellationToken = cancellationToken };
        await System.Threading.Tasks.Parallel.ForEachAsync(packs, options, async (packId, ct) =>
        {
            await ReadPackAsync(packId, ct).ConfigureAwait(false);
            phase.Step();
        }).ConfigureAwait(false);
        phase.Finish();
    }

    private async Task<bool> CheckPackAsync(ObjectId packId, List<(ObjectId IndexId, IndexedPack Pack)> namers, CancellationToken ct)
    {
        var path = RepositoryLayout.PackPath(packId);
        if (!_listing.Packs.TryGetValue(packId, out var size))
        {
            var (indexId, pack) = namers[0];
            Add(new VerifyProblem(path, FormatDamage.Missing, $"is not in the store, but index {indexId} names it (with {pack.Chunks.Count} chunks)"));
            return false;
        }

        var sound = true;
        foreach (var (indexId, pack) in namers)
        {
            var implied = ImpliedLength(pack);
            if (implied != size)
            {
                Add(new VerifyProblem(path, size < implied ? FormatDamage.Truncated : FormatDamage.Malformed,
                    $"is {size} bytes, but index {indexId} implies {implied} ({pack.Chunks.Count} chunks ending at {pack.Chunks[^1].End}, then the footer)"));
                sound = false;
            }
        }

        if (!sound)
        {
            return false;
        }

        PackReader footer;
        try
        {
            footer = await ReadFooterAsync(packId, namers[0].Pack.Chunks[0].ChunkId, size, ct).ConfigureAwait(false);
        }
        catch (RepositoryFormatException e)
        {
            Add(new VerifyProblem(path, e.Damage, e.Problem));
            return false;
        }

        foreach (var (indexId, pack) in namers)
        {
            if (FooterDifference(footer, pack) is { } difference)
            {
                Add(new VerifyProblem(path, FormatDamage.Malformed, $"its footer disagrees with index {indexId}: {difference}"));
                sound = false;
            }
        }

        return sound;
    }

    /// <summary>The length of a pack holding exactly these chunks: their data, the footer listing them, the trailer.</summary>
    private static long ImpliedLength(IndexedPack pack) =>
        pack.Chunks.Max(c => c.End) + PackFormat.FooterFixedLength + ((long)pack.Chunks.Count * PackFormat.EntryLength) + PackFormat.TrailerLength;

    private static string? FooterDifference(PackReader footer, IndexedPack pack)
    {
        if (footer.Entries.Count != pack.Chunks.Count)
        {
            return $"the footer lists {footer.Entries.Count} chunks, the index {pack.Chunks.Count}";
        }

        for (var i = 0; i < pack.Chunks.Count; i++)
        {
            if (footer.Entries[i] != pack.Chunks[i])
            {
                return $"chunk {i} is {Describe(footer.Entries[i])} in the footer but {Describe(pack.Chunks[i])} in the index";
            }
        }

        return null;
    }

    private static string Describe(PackEntry e) => $"{e.ChunkId} at {e.Offset}+{e.StoredLength} ({e.RawLength} raw{(e.Compressed ? ", zstd" : "")})";

    private async Task<PackReader> ReadFooterAsync(ObjectId packId, ObjectId someChunk, long size, CancellationToken ct)
    {
        var tail = await ReadTailAsync(packId, someChunk, size, (int)Math.Min(size, FirstTailLength), ct).ConfigureAwait(false);
        var needed = PackReader.FooterReadLength(packId, size, tail);
        if (needed > tail.Length)
        {
            tail = await ReadTailAsync(packId, someChunk, size, needed, ct).ConfigureAwait(false);
        }

        return PackReader.FromTail(packId, size, tail);
    }

    private async Task<byte[]> ReadTailAsync(ObjectId packId, ObjectId someChunk, long size, int count, CancellationToken ct)
    {
        var tail = await RepositoryContent.ReadRangeAsync(store, packId, someChunk, size - count, count, ct).ConfigureAwait(false);
        return tail.Length == count
            ? tail
            : throw new RepositoryFormatException($"pack {packId}", FormatDamage.Truncated, $"its last {count} bytes could not be read (only {tail.Length}; shorter than listed?)");
    }

    private async Task ReadPackAsync(ObjectId packId, CancellationToken ct)
    {
        var path = RepositoryLayout.PackPath(packId);
        var bytes = await RepositoryStore.TryReadAllAsync(store, path, ct).ConfigureAwait(false);
        if (bytes is null)
        {
            Add(new VerifyProblem(path, FormatDamage.Missing, "was deleted while the repository was verified"));
            return;
        }

        lock (_gate)
        {
            _readPacks.Add(packId);
            _bytesRead += bytes.Length;
        }

        PackReader reader;
        try
        {
            reader = PackReader.Open(packId, bytes);
        }
        catch (RepositoryFormatException e)
        {
            Add(new VerifyProblem(path, e.Damage, e.Problem));
            return;
        }

        var damaged = false;
        foreach (var entry in reader.Entries)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                reader.ReadChunk(entry.ChunkId);
            }
            catch (RepositoryFormatException e)
            {
                damaged = true;
                Add(new VerifyProblem(path, e.Damage, $"chunk {entry.ChunkId}: {e.Problem}") { Chunk = entry.ChunkId });
            }
        }

        Interlocked.Add(ref _chunksRead, reader.Entries.Count);
        if (!damaged && ObjectId.Of(bytes) is var actual && actual != packId)
        {
            Add(new VerifyProblem(path, FormatDamage.HashMismatch, $"its chunks are sound, but the pack hashes to {actual}, not its id"));
        }
    }
}
