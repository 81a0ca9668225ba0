using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

/// <summary>
/// Checks a repository the way <c>restic check</c> does: its structure always (config, indexes, pack footers against
/// the indexes, snapshot records, heads, every reachable tree, every chunk a file names), and with
/// <see cref="VerifyOptions.ReadData"/> the data of the packs that snapshots use, chunk by chunk.
/// </summary>
/// <remarks>
/// <para>
/// Reads everything from the store anew (not the indexes the repository loaded when it opened), so it sees what
/// other processes wrote and it can check a repository whose indexes would not open: use the store constructor for
/// that. Damage never throws: every problem is collected in the report, naming the object, and the rest is still
/// checked (a missing pack still lets every other pack and tree be checked).
/// </para>
/// <para>
/// Objects no snapshot reaches (a run's content-reference trees, packs whose index was never written) are counted,
/// not reported. Thread-safe: each call keeps its own state.
/// </para>
/// </remarks>
public sealed class RepositoryVerifier
{
    private readonly IObjectStore _store;

    /// <summary>A verifier of an open repository.</summary>
    public RepositoryVerifier(SnapshotRepository repository)
        : this((repository ?? throw new ArgumentNullException(nameof(repository))).Store)
    {
    }

    /// <summary>A verifier of the repository rooted at <paramref name="store"/>, which need not open (damaged config or indexes).</summary>
    public RepositoryVerifier(IObjectStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>Checks the repository and reports what it checked and everything it found wrong.</summary>
    /// <param name="options">Whether to read pack data, and which share of the packs.</param>
    /// <param name="progress">Told each phase's counts as it goes (from any thread), or null.</param>
    /// <param name="cancellationToken">Cancels the reads; the verification then throws <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> has a <see cref="VerifyOptions.Problem"/>.</exception>
    /// <exception cref="StorageException">The store failed other than by a missing object.</exception>
    public async Task<VerifyReport> VerifyAsync(VerifyOptions options, IProgress<VerifyProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        var run = new VerifyRun(_store, progress, cancellationToken);
        await run.CheckConfigAsync().ConfigureAwait(false);
        await run.CheckIndexesAsync().ConfigureAwait(false);
        await run.CheckPacksAsync().ConfigureAwait(false);
        await run.CheckSnapshotsAsync().ConfigureAwait(false);
        await run.CheckTreesAsync().ConfigureAwait(false);
        if (options.ReadData)
        {
            await run.ReadDataAsync(options.Subset).ConfigureAwait(false);
        }

        return run.Report();
    }

    /// <summary>
    /// True when a pack is in the share <paramref name="subset"/> of packs that <see cref="VerifyOptions.Subset"/>
    /// reads: the first 8 bytes of its id, as a big-endian unsigned number, are below subset x 2^64.
    /// </summary>
    public static bool IsInSubset(ObjectId packId, double subset)
    {
        if (subset >= 1)
        {
            return true;
        }

        Span<byte> bytes = stackalloc byte[ObjectId.ByteLength];
        packId.CopyTo(bytes);
        var prefix = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);

        // 2^64 as a double is exact; p x 2^64 for p < 1 is below it, but may round up to it for p very close to 1.
        const double TwoTo64 = 18446744073709551616.0;
        var threshold = subset * TwoTo64;
        return threshold >= TwoTo64 || prefix < (ulong)threshold;
    }
}
