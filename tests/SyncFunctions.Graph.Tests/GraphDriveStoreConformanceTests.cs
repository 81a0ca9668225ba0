using SyncFunctions.Abstractions;
using SyncFunctions.Graph.Tests.Infrastructure;
using SyncFunctions.Tests.Conformance;

namespace SyncFunctions.Graph.Tests;

/// <summary>
/// The object-store contract run against <see cref="GraphDriveStore"/> on the loopback Graph server,
/// through the real Microsoft.Graph SDK. Every store is a fresh folder of one shared drive.
/// </summary>
/// <remarks>
/// Overrides: <see cref="KeepsSha256"/> is false because a drive has no custom metadata for
/// <see cref="WriteOptions.Sha256"/> (the server runs ODB-like, reporting only quickXorHash). The capability
/// flags stay false: a drive is neither an <see cref="IChunkedWriter"/> (it has upload sessions instead,
/// tested in <see cref="GraphUploadSessionTests"/>), nor a server-side copier from URLs, nor a resumable
/// partial-file writer; it moves whole folders (<see cref="IServerSideFolderMove"/>). <see cref="AwkwardNames"/> are the defaults minus "A": OneDrive names are
/// case-insensitive, so a file "A" and a folder "a" (of "a/x") cannot both exist. The names the drive cannot
/// hold as they are (" x", "x.", "?q", "\u00A0nbsp") stay in: they pass through <see cref="GraphNameMapping"/>.
/// </remarks>
public sealed class GraphDriveStoreConformanceTests(GraphServerFixture fixture) : ObjectStoreConformance, IClassFixture<GraphServerFixture>
{
    protected override bool KeepsSha256 => false;

    protected override bool HasFolderMove => true;

    protected override IReadOnlyList<string> AwkwardNames { get; } =
    [
        "a-b", "a/x", "a/b/c", "a.txt", "a0", "a b", "B/c", "ä", "a\u0308", "日本/ファイル.txt", " x", "x.", "#", "%", "%20",
        "?q", "~t", "+plus", "e/😀", "z/" + new string('L', 200), "\u00A0nbsp", "ü/ö", "[x]", "{y}", "a=b&c",
    ];

    protected override Task<IObjectStore> CreateStoreAsync() => Task.FromResult<IObjectStore>(fixture.NewStore());
}

