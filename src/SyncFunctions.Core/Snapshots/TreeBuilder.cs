using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots.Format;
using TreeEntry = SyncFunctions.Core.Snapshots.Format.TreeEntry;

namespace SyncFunctions.Core.Snapshots;

/// <summary>
/// Builds a snapshot's trees bottom-up from its files in ordinal path order, with a stack of the directories still
/// open: a directory is finished, stored (write-if-absent) and added to its parent as soon as a path leaves it, so
/// memory is bounded by depth times the widest directory.
/// </summary>
/// <remarks>
/// A directory's <see cref="TreeEntry.Modified"/> is the latest of its children's: the snapshot holds files only
/// (no directory times), and that time still changes whenever anything below changes. Not thread-safe.
/// </remarks>
internal sealed class TreeBuilder(RepositoryContent content)
{
    private readonly List<OpenDirectory> _open = [new("", "")];
    private readonly Dictionary<ObjectId, string> _unknownChunks = [];
    private string? _previous;

    /// <summary>The files added.</summary>
    public long Files { get; private set; }

    /// <summary>The sum of their sizes.</summary>
    public long Bytes { get; private set; }

    /// <summary>Chunks the files name that the repository's content does not know, each with the first path naming it.</summary>
    public IReadOnlyDictionary<ObjectId, string> UnknownChunks => _unknownChunks;

    /// <summary>Adds the next file; finishes the directories its path leaves.</summary>
    /// <exception cref="ArgumentException">The path is not valid, not after the previous one, or below a file.</exception>
    public async Task AddAsync(SnapshotFile file, CancellationToken cancellationToken)
    {
        var segments = Validate(file.Path);
        if (_previous is not null && string.CompareOrdinal(_previous, file.Path) >= 0)
        {
            throw new ArgumentException($"snapshot files come in ordinal path order, each once: '{file.Path}' came after '{_previous}'", nameof(file));
        }

        _previous = file.Path;
        var common = 0;
        while (common < segments.Length - 1 && common + 1 < _open.Count && _open[common + 1].Name == segments[common])
        {
            common++;
        }

        while (_open.Count > common + 1)
        {
            await CloseTopAsync(cancellationToken).ConfigureAwait(false);
        }

        for (var i = common; i < segments.Length - 1; i++)
        {
            var parent = _open[^1];
            var path = parent.Path.Length == 0 ? segments[i] : parent.Path + "/" + segments[i];
            if (!parent.Names.Add(segments[i]))
            {
                throw new ArgumentException($"snapshot file '{file.Path}' is below '{path}', which is a file", nameof(file));
            }

            _open.Add(new OpenDirectory(segments[i], path));
        }

        var top = _open[^1];
        if (!top.Names.Add(segments[^1]))
        {
            throw new ArgumentException($"snapshot file '{file.Path}' is listed twice", nameof(file));
        }

        foreach (var chunk in file.Content.Chunks)
        {
            if (!content.IsIndexed(chunk.Id))
            {
                _unknownChunks.TryAdd(chunk.Id, file.Path);
            }
        }

        top.Add(TreeEntry.File(segments[^1], file.Modified, file.Content.ContentHash, file.Content.Chunks));
        Files++;
        Bytes += file.Content.Size;
    }

    /// <summary>Finishes every open directory and the root; returns the root tree's id.</summary>
    public async Task<ObjectId> FinishAsync(CancellationToken cancellationToken)
    {
        while (_open.Count > 1)
        {
            await CloseTopAsync(cancellationToken).ConfigureAwait(false);
        }

        return await WriteTreeAsync(_open[0], cancellationToken).ConfigureAwait(false);
    }

    private static string[] Validate(string path)
    {
        var problem = RelativePath.Validate(path);
        var segments = problem is null ? path.Split('/') : [];
        foreach (var segment in segments)
        {
            problem ??= TreeManifest.ValidateName(segment);
        }

        return problem is null ? segments : throw new ArgumentException($"snapshot file path '{path}' is not valid: {problem}", nameof(path));
    }

    private async Task CloseTopAsync(CancellationToken cancellationToken)
    {
        var directory = _open[^1];
        var id = await WriteTreeAsync(directory, cancellationToken).ConfigureAwait(false);
        _open.RemoveAt(_open.Count - 1);
        _open[^1].Add(TreeEntry.Directory(directory.Name, directory.Modified, id));
    }

    private async Task<ObjectId> WriteTreeAsync(OpenDirectory directory, CancellationToken cancellationToken)
    {
        var tree = new TreeManifest(directory.Entries).Encode();
        await content.WriteObjectAsync(RepositoryLayout.TreePath(tree.Id), tree.Bytes, cancellationToken).ConfigureAwait(false);
        return tree.Id;
    }

    private sealed class OpenDirectory(string name, string path)
    {
        public string Name { get; } = name;

        public string Path { get; } = path;

        public List<TreeEntry> Entries { get; } = [];

        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset Modified { get; private set; } = DateTimeOffset.MinValue;

        public void Add(TreeEntry entry)
        {
            Entries.Add(entry);
            Modified = entry.Modified > Modified ? entry.Modified : Modified;
        }
    }
}
