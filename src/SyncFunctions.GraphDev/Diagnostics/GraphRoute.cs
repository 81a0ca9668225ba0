namespace SyncFunctions.GraphDev;

/// <summary>What a request to the dev server asked for (used by the request log and fault matching).</summary>
public enum GraphRoute
{
    /// <summary>A path the server does not serve.</summary>
    Unknown,

    /// <summary>GET /me/drive, /drives/{id}.</summary>
    Drive,

    /// <summary>GET an item by id or path.</summary>
    GetItem,

    /// <summary>GET …/children.</summary>
    ListChildren,

    /// <summary>POST …/children (create folder).</summary>
    CreateFolder,

    /// <summary>PATCH an item (rename/move).</summary>
    UpdateItem,

    /// <summary>DELETE an item.</summary>
    DeleteItem,

    /// <summary>GET delta (any form, including nextLink/deltaLink).</summary>
    Delta,

    /// <summary>GET …/content (302 to the download URL).</summary>
    Content,

    /// <summary>GET a pre-authenticated download URL (content host).</summary>
    Download,

    /// <summary>PUT …/content (simple upload).</summary>
    SimpleUpload,

    /// <summary>POST …/createUploadSession.</summary>
    CreateUploadSession,

    /// <summary>PUT/GET/DELETE/POST on an upload URL (content host).</summary>
    UploadSession,

    /// <summary>POST …/copy.</summary>
    Copy,

    /// <summary>GET a copy monitor URL (content host).</summary>
    CopyMonitor,

    /// <summary>/subscriptions (create, get, renew, delete, reauthorize).</summary>
    Subscriptions,
}

/// <summary>A request as the request log and fault rules see it.</summary>
/// <param name="Route">What the request asked for.</param>
/// <param name="Method">HTTP method (upper case).</param>
/// <param name="Path">Request path (decoded), including the /v1.0 prefix for API calls.</param>
/// <param name="Query">Raw query string including '?', or "".</param>
/// <param name="IsContentHost">True for download/upload/monitor URLs, false for Graph API calls.</param>
public sealed record GraphRequestInfo(GraphRoute Route, string Method, string Path, string Query, bool IsContentHost);
