using System.Collections.Concurrent;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph;

/// <summary>Tuning of a <see cref="GraphDriveStore"/>.</summary>
public sealed record GraphDriveStoreOptions
{
    /// <summary>Children per listing page ($top; the service caps it).</summary>
    public int ListPageSize { get; init; } = 1000;

    /// <summary>Delta page size ($top); null lets the service choose.</summary>
    public int? DeltaPageSize { get; init; }

    /// <summary>Fragment size when <see cref="GraphDriveStore.WriteAsync"/> itself uses an upload session (a multiple of 320 KiB).</summary>
    public int SessionFragmentSize { get; init; } = 32 * 320 * 1024;
}

/// <summary>
/// A OneDrive / SharePoint drive folder as an object store, change source (delta), upload-session
/// destination and server-side mover (of files, and of folders with their subtree), through the Microsoft Graph SDK.
/// </summary>
/// <remarks>
/// <para>Paths are relative to the root folder of the endpoint, '/'-separated, in the engine's names; they are
/// mapped to names the drive can hold with <see cref="GraphNameMapping"/>, and listings and change items give
/// them back unmapped. Versions are cTags (see <see cref="DriveItems"/>). Folders are not objects: they are
/// created as needed (and cached) and never listed.</para>
/// <para>Every failure surfaces as <see cref="StorageException"/>, classified once by <see cref="GraphErrors"/>;
/// nothing here retries (Core does), except one documented case: a download whose pre-authenticated URL
/// failed with 401/403/404 fetches /content again once.</para>
/// <para>Thread-safe: many workers share one instance. The drive id, root folder id and folder ids are cached.</para>
/// </remarks>
public sealed partial class GraphDriveStore : IObjectStore, IChangeSource, IUploadSessionWriter, IServerSideMove, IServerSideFolderMove, IEmptyFolderPruner
{
    private readonly GraphConnection _connection;
    private readonly GraphDriveStoreOptions _options;
    private readonly string _driveFolder;
    private readonly ConcurrentDictionary<string, string> _folderIds = new(StringComparer.Ordinal);
    private Task<string>? _driveIdLookup;
    private volatile string? _driveId;
    private volatile string? _rootFolderId;
    private volatile bool _deltaOnDriveRoot;

    /// <param name="connection">The Graph client (shared; not disposed by the store).</param>
    /// <param name="endpoint">Which drive and folder.</param>
    /// <param name="options">Tuning; defaults when null.</param>
    /// <exception cref="StorageException">InvalidName when the folder path cannot be held by a drive.</exception>
    public GraphDriveStore(GraphConnection connection, GraphEndpoint endpoint, GraphDriveStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(endpoint);
        _connection = connection;
        Endpoint = endpoint;
        _options = options ?? new GraphDriveStoreOptions();
        _driveFolder = endpoint.FolderPath.Length == 0 ? "" : GraphNameMapping.ToDrive(endpoint.FolderPath);
        if (endpoint.Drive.Kind == GraphDriveKind.DriveId)
        {
            _driveId = endpoint.Drive.Value;
        }
    }

    /// <summary>The endpoint this store is rooted at.</summary>
    public GraphEndpoint Endpoint { get; }

    /// <inheritdoc />
    public string DisplayName => $"{Endpoint} at {_connection.BaseUrl}";

    /// <summary>Parses a <c>graph:</c> endpoint (see <see cref="GraphEndpoint.Parse"/>).</summary>
    public static GraphEndpoint ParseEndpoint(string text) => GraphEndpoint.Parse(text);

    private GraphServiceClient Client => _connection.Client;

    private TimeProvider Time => _connection.TimeProvider;

    /// <inheritdoc />
    public async Task<ObjectInfo?> GetInfoAsync(string path, CancellationToken cancellationToken)
    {
        var drivePath = ToDrivePath(path);
        var item = await TryGetByDrivePathAsync(drivePath, $"GET info of '{path}'", cancellationToken).ConfigureAwait(false);
        return item is null || DriveItems.IsContainer(item) ? null : DriveItems.ToObjectInfo(path, item);
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string path, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var drivePath = ToDrivePath(path);
        var what = $"DELETE '{path}'";
        if (options.IfMatch is null)
        {
            // Without a condition, make sure a folder now standing at the path is never deleted recursively.
            var current = await TryGetByDrivePathAsync(drivePath, what, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return;
            }

            if (DriveItems.IsContainer(current))
            {
                throw new StorageException(StorageErrorKind.PreconditionFailed, $"Graph {what}: a folder is at that path, not a file.");
            }
        }

        var driveId = await DriveIdAsync(cancellationToken).ConfigureAwait(false);
        var url = ItemUrl(driveId, drivePath, "");
        try
        {
            await CallAsync(
                what,
                () => Client.Drives[driveId].Items["root"].WithUrl(url).DeleteAsync(c => AddIfMatch(c.Headers, options.IfMatch), cancellationToken),
                cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            // Already gone: deleting a missing object is not an error.
        }
    }

    /// <summary>The drive id (resolved once for me/users/sites; a failed lookup is tried again by the next caller).</summary>
    internal Task<string> DriveIdAsync(CancellationToken cancellationToken)
    {
        if (_driveId is { } known)
        {
            return Task.FromResult(known);
        }

        var lookup = Volatile.Read(ref _driveIdLookup);
        if (lookup is null || lookup.IsFaulted || lookup.IsCanceled)
        {
            // One shared lookup, not cancelled by any one caller; each caller waits with its own token.
            var fresh = LookUpDriveIdAsync();
            lookup = Interlocked.CompareExchange(ref _driveIdLookup, fresh, lookup) == lookup ? fresh : Volatile.Read(ref _driveIdLookup)!;
        }

        return lookup.WaitAsync(cancellationToken);
    }

    private async Task<string> LookUpDriveIdAsync()
    {
        var selector = Endpoint.Drive;
        var drive = await CallAsync(
            $"GET drive {selector}",
            () => selector.Kind switch
            {
                GraphDriveKind.Me => Client.Me.Drive.GetAsync(c => c.QueryParameters.Select = ["id"]),
                GraphDriveKind.User => Client.Users[selector.Value].Drive.GetAsync(c => c.QueryParameters.Select = ["id"]),
                _ => Client.Sites[selector.Value].Drive.GetAsync(c => c.QueryParameters.Select = ["id"]),
            },
            CancellationToken.None).ConfigureAwait(false);
        _driveId = drive?.Id ?? throw new StorageException(StorageErrorKind.NotFound, $"Graph returned no drive for {selector}.");
        return _driveId;
    }

    /// <summary>The item at a drive-form path (from the drive root; "" is the root), or null when there is none.</summary>
    private async Task<DriveItem?> TryGetByDrivePathAsync(string drivePath, string what, CancellationToken cancellationToken)
    {
        var driveId = await DriveIdAsync(cancellationToken).ConfigureAwait(false);
        var url = ItemUrl(driveId, drivePath, "") + "?$select=" + DriveItems.Select;
        try
        {
            return await CallAsync(
                what,
                () => Client.Drives[driveId].Items["root"].WithUrl(url).GetAsync(cancellationToken: cancellationToken),
                cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            return null;
        }
    }

    /// <summary>Maps a relative path to the drive-form path from the drive root (validates; InvalidName when it cannot be held).</summary>
    private string ToDrivePath(string path)
    {
        var mapped = GraphNameMapping.ToDrive(path);
        var full = _driveFolder.Length == 0 ? mapped : $"{_driveFolder}/{mapped}";
        return full.Length <= GraphNameMapping.MaxPathLength
            ? full
            : throw new StorageException(
                StorageErrorKind.InvalidName,
                $"'{path}' is {full.Length} characters on the drive with the root folder; OneDrive holds paths of at most {GraphNameMapping.MaxPathLength}.");
    }

    /// <summary>The URL of the item at a drive-form path, plus an action suffix such as "/content".</summary>
    private string ItemUrl(string driveId, string drivePath, string suffix)
    {
        var drive = $"{_connection.BaseUrl}/drives/{Uri.EscapeDataString(driveId)}/items/root";
        if (drivePath.Length == 0)
        {
            return drive + suffix;
        }

        var escaped = string.Join('/', drivePath.Split('/').Select(Uri.EscapeDataString));
        return $"{drive}:/{escaped}:{suffix}";
    }

    /// <summary>The URL of a child (by name) of the folder with the given id, plus an action suffix.</summary>
    private string ChildUrl(string driveId, string folderId, string name, string suffix) =>
        $"{_connection.BaseUrl}/drives/{Uri.EscapeDataString(driveId)}/items/{Uri.EscapeDataString(folderId)}:/{Uri.EscapeDataString(name)}:{suffix}";

    private static void AddIfMatch(Microsoft.Kiota.Abstractions.RequestHeaders headers, string? ifMatch)
    {
        if (!string.IsNullOrEmpty(ifMatch))
        {
            headers.Add("If-Match", ifMatch);
        }
    }

    private static (string Parent, string Name) SplitDrivePath(string drivePath)
    {
        var slash = drivePath.LastIndexOf('/');
        return slash < 0 ? ("", drivePath) : (drivePath[..slash], drivePath[(slash + 1)..]);
    }

    private async Task<T> CallAsync<T>(string what, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (GraphErrors.ShouldClassify(e, cancellationToken))
        {
            throw GraphErrors.Classify(e, what, Time);
        }
    }

    private async Task CallAsync(string what, Func<Task> call, CancellationToken cancellationToken)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (Exception e) when (GraphErrors.ShouldClassify(e, cancellationToken))
        {
            throw GraphErrors.Classify(e, what, Time);
        }
    }
}
