using Microsoft.AspNetCore.Http;

namespace SyncFunctions.Http;

/// <summary>
/// The URLs the API hands out (<c>Location</c>, <c>statusQueryGetUri</c>, ...): the routes under <c>api/</c> of a base
/// URL, which is read when a URL is built (a host learns its listening port after the routes are mapped).
/// </summary>
/// <param name="baseUrl">The public base URL, else the listening one; a trailing slash is added when missing.</param>
public sealed class ApiUrls(Func<Uri> baseUrl)
{
    /// <summary>URLs on a fixed base.</summary>
    public ApiUrls(Uri baseUrl)
        : this(() => baseUrl)
    {
    }

    /// <summary>
    /// The base of a request's URLs: <paramref name="publicUrl"/> when given, else the request's own scheme, host and
    /// path base (the Functions host forwards the caller's host name).
    /// </summary>
    public static ApiUrls For(HttpRequest request, Uri? publicUrl)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new ApiUrls(publicUrl ?? new Uri($"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}/"));
    }

    /// <summary>A route below <c>api/</c>, e.g. <c>runs/ID</c>.</summary>
    public Uri Of(string relative)
    {
        var root = baseUrl().ToString();
        return new Uri(new Uri(root.EndsWith('/') ? root : root + "/"), "api/" + relative);
    }

    public Uri Pair(string name) => Of("pairs/" + Uri.EscapeDataString(name));

    public Uri Run(string id) => Of("runs/" + Uri.EscapeDataString(id));

    public Uri Terminate(string id) => Of($"runs/{Uri.EscapeDataString(id)}/terminate");

    public Uri Events(string id) => Of($"runs/{Uri.EscapeDataString(id)}/events");
}
