using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using SyncFunctions.App.Composition;

namespace SyncFunctions.App.Functions;

/// <summary>Preview, then apply (<c>/api/pairs/{name}/plan</c>, <c>/api/plans/{id}/apply</c>), function keys checked by the host.</summary>
public sealed class PlanFunctions(AppHost app)
{
    [Function("PlansPreview")]
    public Task<IActionResult> PreviewAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "pairs/{name}/plan")] HttpRequest request, string name, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        HttpEntry.RunAsync(app, request, s => s.PlanApi(request, client).PreviewAsync(request, name, cancellationToken), cancellationToken);

    [Function("PlansApply")]
    public Task<IActionResult> ApplyAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "plans/{id}/apply")] HttpRequest request, string id, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        HttpEntry.RunAsync(app, request, s => s.PlanApi(request, client).ApplyAsync(request, id, cancellationToken), cancellationToken);
}
