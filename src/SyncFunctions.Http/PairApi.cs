using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Http;

/// <summary>
/// The bodies of the pair routes (<c>GET/POST /api/pairs</c>, <c>GET/DELETE /api/pairs/{name}</c>), the same in every
/// host: each takes the request's parts and returns the answer; authentication is the host's.
/// </summary>
public sealed class PairApi(PairService pairs, ApiUrls urls, ILogger log)
{
    /// <summary>Every named pair, by name (200).</summary>
    public Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken) =>
        SyncHttp.GuardAsync(request, log, async () =>
        {
            var all = new List<PairView>();
            await foreach (var pair in pairs.ListAsync(cancellationToken).ConfigureAwait(false))
            {
                all.Add(pair);
            }

            return Results.Json(all, SyncHttp.Json);
        });

    /// <summary>Adds the pair in the body: 201 with <c>Location</c>, 400/413/415 for bad input, 409 when the name is taken.</summary>
    public Task<IResult> AddAsync(HttpRequest request, CancellationToken cancellationToken) =>
        SyncHttp.GuardAsync(request, log, async () =>
        {
            var (body, problem) = await SyncHttp.ReadJsonAsync<PairRequest>(request, cancellationToken).ConfigureAwait(false);
            if (body is null)
            {
                return problem!;
            }

            var result = await pairs.AddAsync(body, cancellationToken).ConfigureAwait(false);
            return result.Outcome == ServiceOutcome.Created
                ? SyncHttp.WithLocation(Results.Json(result.Value, SyncHttp.Json, statusCode: 201), urls.Pair(result.Value!.Name))
                : SyncHttp.From(result);
        });

    /// <summary>One pair with its active run (200), 400 for a malformed name, 404.</summary>
    public Task<IResult> GetAsync(HttpRequest request, string name, CancellationToken cancellationToken) =>
        SyncHttp.GuardAsync(request, log, async () => SyncHttp.From(await pairs.GetAsync(name, cancellationToken).ConfigureAwait(false)));

    /// <summary>Removes a pair (200 with what was removed), 404, 409 while it has an active run.</summary>
    public Task<IResult> RemoveAsync(HttpRequest request, string name, CancellationToken cancellationToken) =>
        SyncHttp.GuardAsync(request, log, async () => SyncHttp.From(await pairs.RemoveAsync(name, cancellationToken).ConfigureAwait(false)));
}
