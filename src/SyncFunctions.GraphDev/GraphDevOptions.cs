using Microsoft.Extensions.Logging;

namespace SyncFunctions.GraphDev;

/// <summary>
/// Settings of a <see cref="GraphDevServer"/>. Defaults imitate the service where it documents a value
/// and pick a plausible one where it does not (each says which).
/// </summary>
public sealed class GraphDevOptions
{
    /// <summary>Port of the Graph API on 127.0.0.1; 0 picks a free port.</summary>
    public int Port { get; set; }

    /// <summary>
    /// Port of the "pre-authenticated" content host (download URLs, upload URLs, copy monitors); 0 picks
    /// a free port. It differs from <see cref="Port"/> so that, as in production, the SDK's redirect
    /// handler drops the Authorization header on the way to it.
    /// </summary>
    public int ContentPort { get; set; }

    /// <summary>Folder for the drive journal and content; null keeps everything in memory.</summary>
    public string? DataDir { get; set; }

    /// <summary>Drive id; null: "b!" plus random characters (or the id stored in <see cref="DataDir"/>).</summary>
    public string? DriveId { get; set; }

    /// <summary>Generated files to seed a new drive with (ignored when <see cref="DataDir"/> already holds a drive).</summary>
    public int SeedFiles { get; set; }

    /// <summary>Seed of the generated names' contents and sizes.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Seeded files per folder (ten folders per top-level folder).</summary>
    public int SeedFilesPerFolder { get; set; } = 100;

    /// <summary>Largest seeded file in bytes (sizes are uniform in 0..this).</summary>
    public int SeedMaxFileSize { get; set; } = 2048;

    /// <summary>Clock for expiries, timestamps, slow responses and notification retries.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Logger factory for Kestrel and the server; null logs nothing.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Delta page size when the request has no <c>$top</c> (the service's default is undocumented).</summary>
    public int DeltaPageSize { get; set; } = 200;

    /// <summary>Largest <c>$top</c> honoured for delta and children.</summary>
    public int MaxPageSize { get; set; } = 1000;

    /// <summary>Follow each changed item with its ancestors up to the root (OneDrive for Business does).</summary>
    public bool DeltaIncludesAncestors { get; set; } = true;

    /// <summary>Delta tokens (and tombstones) older than this answer 410 resyncRequired (undocumented; ~30 days seen).</summary>
    public TimeSpan DeltaTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Validity of <c>@microsoft.graph.downloadUrl</c> ("a few minutes" to "1 hour" per the docs).</summary>
    public TimeSpan DownloadUrlLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Lifetime of an upload session after its last activity (undocumented).</summary>
    public TimeSpan UploadSessionLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Largest simple upload (PUT /content); the live Graph page says 250 MB.</summary>
    public long SimpleUploadMaxBytes { get; set; } = 250L * 1024 * 1024;

    /// <summary>Reject non-final upload fragments that are not multiples of 320 KiB (the documented rule).</summary>
    public bool EnforceFragmentMultiple { get; set; } = true;

    /// <summary>How long a copy takes before its monitor reports completion.</summary>
    public TimeSpan CopyLatency { get; set; } = TimeSpan.Zero;

    /// <summary>Also report sha1Hash and sha256Hash (OneDrive for Business reports only quickXorHash).</summary>
    public bool IncludeShaHashes { get; set; } = true;

    /// <summary>Time a notification endpoint has to answer (Graph: 3 s) and validation (Graph: 10 s).</summary>
    public TimeSpan NotificationTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Time the validation handshake may take (Graph: 10 s).</summary>
    public TimeSpan ValidationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Waits between delivery attempts of one notification (bounded; Graph retries for hours).</summary>
    public IReadOnlyList<TimeSpan> NotificationRetryDelays { get; set; } =
        [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)];
}
