namespace SyncFunctions.GraphDev;

/// <summary>
/// A Graph error the dev server answers with: HTTP status, top-level <c>error.code</c> and an optional
/// detailed <c>error.innerError.code</c>. The drive model throws it for invalid operations (also when
/// a test calls <see cref="GraphDevDrive"/> directly), and the HTTP layer turns it into the documented
/// error body.
/// </summary>
public sealed class GraphDevException : Exception
{
    public GraphDevException(int statusCode, string code, string message, string? innerCode = null)
        : base(message)
    {
        StatusCode = statusCode;
        Code = code;
        InnerCode = innerCode;
    }

    public GraphDevException()
        : this(500, "generalException", "Unknown error")
    {
    }

    public GraphDevException(string message)
        : this(500, "generalException", message)
    {
    }

    public GraphDevException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = 500;
        Code = "generalException";
    }

    /// <summary>HTTP status code.</summary>
    public int StatusCode { get; }

    /// <summary>Top-level Graph error code (itemNotFound, nameAlreadyExists, resourceModified, ...).</summary>
    public string Code { get; }

    /// <summary>Detailed code placed in innerError.code, if any.</summary>
    public string? InnerCode { get; }

    /// <summary>Extra response headers (Location on 410, Retry-After on throttling).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    internal static GraphDevException NotFound(string what) =>
        new(404, "itemNotFound", $"The resource could not be found: {what}");

    internal static GraphDevException NameExists(string name) =>
        new(409, "nameAlreadyExists", $"The specified item name already exists: {name}");

    internal static GraphDevException Modified() =>
        new(412, "resourceModified", "ETag does not match current item's value", "entityTagDoesNotMatch");

    internal static GraphDevException Invalid(string message, string? innerCode = null) =>
        new(400, "invalidRequest", message, innerCode);
}
