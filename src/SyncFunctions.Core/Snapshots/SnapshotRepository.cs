using System.Security.Cryptography;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Chunking;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots;

/// <summary>
/// An open snapshot repository: a store (the repository's prefix of a container) holding a <see cref="RepositoryConfig"/>,
/// and its content, whose every index was loaded when it was opened.
/// </summary>
/// <remarks>
/// Thread-safe: many workers share one instance, each with its own <see cref="ChunkWriter"/>. Made by
/// <see cref="InitAsync"/> or <see cref="OpenAsync"/>.
/// </remarks>
public sealed class SnapshotRepository
{
    private SnapshotRepository(IObjectStore store, RepositoryConfig config, RepositoryContent content)
    {
        Store = store;
        Config = config;
        Content = content;
    }

    /// <summary>The store the repository lives in (its root is the repository's root).</summary>
    public IObjectStore Store { get; }

    /// <summary>The repository's config.</summary>
    public RepositoryConfig Config { get; }

    /// <summary>The chunks: which are stored, writing new ones, reading them.</summary>
    public RepositoryContent Content { get; }

    /// <summary>
    /// Creates a repository in <paramref name="store"/>: writes its config if none is there (If-None-Match, so two
    /// creators cannot both succeed) and returns it, open and empty.
    /// </summary>
    /// <param name="store">The repository's root.</param>
    /// <param name="chunker">The chunk sizes, fixed for the repository's life (chunk ids depend on them).</param>
    /// <param name="time">The clock for the config's creation time.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="SnapshotRepositoryException">A repository exists there already.</exception>
    /// <exception cref="ArgumentException"><paramref name="chunker"/> has a <see cref="ChunkerOptions.Problem"/>.</exception>
    public static async Task<SnapshotRepository> InitAsync(IObjectStore store, ChunkerOptions chunker, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(chunker);
        ArgumentNullException.ThrowIfNull(time);
        if (chunker.Problem() is { } problem)
        {
            throw new ArgumentException($"unusable chunk sizes for a repository: {problem}", nameof(chunker));
        }

        var config = new RepositoryConfig(
            ObjectId.FromBytes(RandomNumberGenerator.GetBytes(ObjectId.ByteLength)),
            time.GetUtcNow(),
            new ChunkerParameters(chunker.Min, chunker.Avg, chunker.Max));
        if (!await RepositoryStore.WriteIfAbsentAsync(store, RepositoryLayout.ConfigPath, config.Encode(), cancellationToken).ConfigureAwait(false))
        {
            throw new SnapshotRepositoryException($"a repository exists at {store.DisplayName} already (it has a config): open it instead");
        }

        return new SnapshotRepository(store, config, new RepositoryContent(store, chunker));
    }

    /// <summary>Opens the repository in <paramref name="store"/>: reads its config and loads every pack index.</summary>
    /// <param name="store">The repository's root.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="SnapshotRepositoryException">No repository is there (no config).</exception>
    /// <exception cref="RepositoryFormatException">The config or an index is damaged.</exception>
    public static async Task<SnapshotRepository> OpenAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var bytes = await RepositoryStore.TryReadAllAsync(store, RepositoryLayout.ConfigPath, cancellationToken).ConfigureAwait(false)
            ?? throw new SnapshotRepositoryException($"no repository at {store.DisplayName}: it has no config (create one first)");
        var config = RepositoryConfig.Decode(bytes);
        var p = config.Chunker;
        var chunker = new ChunkerOptions(p.Min, p.Average, p.Max);
        if (chunker.Problem() is { } problem)
        {
            throw new RepositoryFormatException(RepositoryLayout.ConfigPath, FormatDamage.Malformed, $"its chunk sizes cannot be used: {problem}");
        }

        var content = new RepositoryContent(store, chunker);
        await content.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return new SnapshotRepository(store, config, content);
    }
}
