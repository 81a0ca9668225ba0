using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>
/// An Azure Blob container (optionally below a prefix) as an <see cref="IObjectStore"/>: a source or a
/// mirror destination. Paths are relative to the prefix.
/// </summary>
/// <remarks>
/// Every SDK failure is classified once here with <see cref="AzureErrors"/>; nothing is retried here (Core retries).
/// As a destination the container is created on first write when missing (one request per instance).
/// Thread-safe: many workers share one instance.
/// </remarks>
public sealed partial class BlobObjectStore : IObjectStore, IChunkedWriter, ICommittedChunks, IReadUrlProvider, IServerSideCopy, IStagedChunkCleaner
{
    /// <summary>Metadata key holding the lower-case hex SHA-256 of the content.</summary>
    public const string Sha256MetadataKey = "sha256";

    private const int ListPageSize = 5000;

    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private readonly TimeProvider _timeProvider;
    private volatile bool _containerKnownToExist;
    private readonly object _ensureGate = new();
    private Task? _ensureContainer;

    /// <summary>Creates a store over <paramref name="container"/>, below <paramref name="prefix"/> when given.</summary>
    /// <param name="container">The container client (its pipeline decides transport, credentials and retry policy).</param>
    /// <param name="prefix">A relative path prefix ("backups/2024"); null or empty for the whole container.</param>
    /// <param name="timeProvider">Clock for SAS expiry times (default: system clock).</param>
    /// <exception cref="ArgumentException">The container name or prefix is invalid.</exception>
    public BlobObjectStore(BlobContainerClient container, string? prefix = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        if (BlobNames.ValidateContainer(container.Name) is { } containerProblem)
        {
            throw new ArgumentException($"Invalid container name '{container.Name}': {containerProblem}.", nameof(container));
        }

        var trimmed = (prefix ?? "").TrimEnd('/');
        if (trimmed.Length > 0 && RelativePath.Validate(trimmed) is { } prefixProblem)
        {
            throw new ArgumentException($"Invalid blob prefix '{trimmed}': {prefixProblem}.", nameof(prefix));
        }

        _container = container;
        _prefix = trimmed.Length == 0 ? "" : trimmed + "/";
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>A store over a container of <paramref name="connection"/>.</summary>
    public static BlobObjectStore Create(AzureStorageConnection connection, string container, string? prefix = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(container);
        if (BlobNames.ValidateContainer(container) is { } problem)
        {
            throw new ArgumentException($"Invalid container name '{container}': {problem}.", nameof(container));
        }

        return new BlobObjectStore(connection.BlobService.GetBlobContainerClient(container), prefix, timeProvider);
    }

    public string DisplayName => _prefix.Length == 0
        ? $"blob:{_container.Name} on {_container.AccountName}"
        : $"blob:{_container.Name}/{_prefix.TrimEnd('/')} on {_container.AccountName}";

    /// <summary>The container name.</summary>
    public string ContainerName => _container.Name;

    /// <summary>The prefix with a trailing '/', or empty.</summary>
    public string Prefix => _prefix;

    public async IAsyncEnumerable<ListingEntry> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = new GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = _prefix.Length == 0 ? null : _prefix };
        var pages = _container.GetBlobsAsync(options, cancellationToken).AsPages(pageSizeHint: ListPageSize);
        var reorder = new OrdinalReorderBuffer<ListingEntry>(e => e.Object?.Path ?? e.Skipped!.Path);
        var ready = new List<ListingEntry>();
        var operation = $"list container '{_container.Name}'";
        IAsyncEnumerable<Page<BlobItem>> classified = Classified.Enumerate(pages, operation, cancellationToken);
        await using var enumerator = classified.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await enumerator.MoveNextAsync())
                {
                    break;
                }
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
            {
                throw new StorageException(StorageErrorKind.NotFound, $"container '{_container.Name}' does not exist", e, status: e.Status);
            }

            foreach (var item in enumerator.Current.Values)
            {
                if (ToEntry(item) is { } entry)
                {
                    reorder.Add(entry, ready);
                }
            }

            foreach (var entry in ready)
            {
                yield return entry;
            }

            ready.Clear();
        }

        reorder.Complete(ready);
        foreach (var entry in ready)
        {
            yield return entry;
        }
    }

    public async Task<ObjectInfo?> GetInfoAsync(string path, CancellationToken cancellationToken)
    {
        var name = NameOf(path);
        try
        {
            var properties = (await _container.GetBlobClient(name).GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            return new ObjectInfo(
                path,
                properties.ContentLength,
                properties.LastModified,
                VersionOf(properties.ETag),
                properties.Metadata.TryGetValue(Sha256MetadataKey, out var sha) ? sha : null,
                Md5(properties.ContentHash));
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, $"get info of '{BlobNames.Printable(path)}'", _timeProvider);
        }
    }

    public async Task<Stream> OpenReadAsync(string path, long offset, long? length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "length must not be negative");
        }

        if (length == 0)
        {
            return Stream.Null;
        }

        var operation = $"read '{BlobNames.Printable(path)}'";
        try
        {
            var options = new BlobDownloadOptions { Range = new HttpRange(offset, length) };
            var result = await _container.GetBlobClient(NameOf(path)).DownloadStreamingAsync(options, cancellationToken);
            return new ClassifyingReadStream(result.Value.Content, operation);
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, operation, _timeProvider);
        }
    }

    public async Task<WriteResult> WriteAsync(string path, Stream content, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(options);
        var name = RequireWritableName(path);
        await EnsureContainerAsync(cancellationToken);
        var body = await SeekableAsync(content, cancellationToken);
        try
        {
            var upload = new BlobUploadOptions { Conditions = ConditionsOf(options), Metadata = MetadataOf(options) };
            var info = (await BlockBlob(name).UploadAsync(body, upload, cancellationToken)).Value;
            return new WriteResult(VersionOf(info.ETag), info.LastModified);
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, $"write '{BlobNames.Printable(path)}'", _timeProvider);
        }
        finally
        {
            if (!ReferenceEquals(body, content))
            {
                await body.DisposeAsync();
            }
        }
    }

    public async Task DeleteAsync(string path, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var name = NameOf(path);
        try
        {
            var conditions = options.IfMatch is { } etag ? new BlobRequestConditions { IfMatch = new ETag(etag) } : null;

            // Snapshots belong to the blob: a mirror delete removes them too (the service refuses otherwise).
            await _container.GetBlobClient(name).DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, conditions, cancellationToken);
            return;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return; // Already gone: deleting a missing object is not an error.
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            // Handled below: If-Match on a missing blob fails the condition (Azurite) instead of answering 404.
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, $"delete '{BlobNames.Printable(path)}'", _timeProvider);
        }

        if (await GetInfoAsync(path, cancellationToken) is not null)
        {
            throw new StorageException(
                StorageErrorKind.PreconditionFailed, $"delete '{BlobNames.Printable(path)}' failed: 412 ConditionNotMet: the blob changed", status: 412);
        }
    }

    private ListingEntry? ToEntry(BlobItem item)
    {
        if (item.Deleted || item.Metadata?.ContainsKey("hdi_isfolder") == true)
        {
            // Soft-deleted blobs and directory markers (hierarchical namespace) are not files.
            return null;
        }

        var path = item.Name[_prefix.Length..];
        if (RelativePath.Validate(path) is { } problem)
        {
            return ListingEntry.Skip(path, $"name cannot be a relative path: {problem}");
        }

        var props = item.Properties;
        string? sha = null;
        item.Metadata?.TryGetValue(Sha256MetadataKey, out sha);
        return ListingEntry.Of(new ObjectInfo(
            path,
            props.ContentLength ?? 0,
            props.LastModified ?? default,
            props.ETag is { } tag ? VersionOf(tag) : null,
            sha,
            Md5(props.ContentHash)));
    }

    private string NameOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return _prefix + path;
    }

    private string RequireWritableName(string path)
    {
        var name = NameOf(path);
        if (RelativePath.Validate(path) is { } problem)
        {
            throw new StorageException(StorageErrorKind.InvalidName, $"'{BlobNames.Printable(path)}' is not a valid relative path: {problem}");
        }

        BlobNames.Require(name, path);
        return name;
    }

    private BlockBlobClient BlockBlob(string name) => _container.GetBlockBlobClient(name);

    /// <summary>
    /// The ETag in its quoted HTTP form. Responses quote it, listings may not: one form keeps versions comparable.
    /// </summary>
    internal static string VersionOf(ETag etag)
    {
        var text = etag.ToString();
        return text.StartsWith('"') || text.StartsWith("W/", StringComparison.Ordinal) ? text : $"\"{text}\"";
    }

    private static string? Md5(byte[]? hash) => hash is { Length: > 0 } ? Convert.ToBase64String(hash) : null;

    private static BlobRequestConditions? ConditionsOf(WriteOptions options) =>
        options.IfMatch is { } etag ? new BlobRequestConditions { IfMatch = new ETag(etag) }
        : options.IfNoneMatch ? new BlobRequestConditions { IfNoneMatch = ETag.All }
        : null;

    private static Dictionary<string, string>? MetadataOf(WriteOptions options) =>
        options.Sha256 is { } sha ? new Dictionary<string, string> { [Sha256MetadataKey] = sha } : null;
}
