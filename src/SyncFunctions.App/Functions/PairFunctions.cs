using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using SyncFunctions.App.Composition;

namespace SyncFunctions.App.Functions;

/// <summary>
/// The pair routes (<c>/api/pairs</c>), function keys checked by the Functions host. Adding or removing a pair
/// reconciles its schedule orchestration on the invocation's Durable client.
/// </summary>
public sealed class PairFunctions(AppHost app)
{
    [Function("PairsList")]
    public Task<IActionResult> ListAsync([HttpTrigger(AuthorizationLevel.Function, "get", Route = "pairs")] HttpRequest request, CancellationToken cancellationToken) =>
        HttpEntry.RunAsync(app, request, s => s.PairApi(request).ListAsync(request, cancellationToken), cancellationToken);

    [Function("PairsAdd")]
    public Task<IActionResult> AddAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "pairs")] HttpRequest request, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        HttpEntry.RunAsync(app, request, s => s.PairApi(request, client).AddAsync(request, cancellationToken), cancellationToken);

    [Function("PairsGet")]
    public Task<IActionResult> GetAsync([HttpTrigger(AuthorizationLevel.Function, "get", Route = "pairs/{name}")] HttpRequest request, string name, CancellationToken cancellationToken) =>
        HttpEntry.RunAsync(app, request, s => s.PairApi(request).GetAsync(request, name, cancellationToken), cancellationToken);

    [Function("PairsRemove")]
    public Task<IActionResult> RemoveAsync(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "pairs/{name}")] HttpRequest request, string name, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        HttpEntry.RunAsync(app, request, s => s.PairApi(request, client).RemoveAsync(request, name, cancellationToken), cancellationToken);
}
