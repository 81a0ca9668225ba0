using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Http;

/// <summary>The 201 body of a previewed plan: the plan and where to apply it.</summary>
/// <param name="Id">The plan's id.</param>
/// <param name="Pair">The pair's name.</param>
/// <param name="CreatedTime">When it was made.</param>
/// <param name="ExpiresTime">Until when it can be applied.</param>
/// <param name="Plan">Counts, bytes, deletes, first items, fingerprint.</param>
/// <param name="ApplyPostUri">Where to apply it.</param>
public sealed record PlanCreated(string Id, string Pair, DateTimeOffset CreatedTime, DateTimeOffset ExpiresTime, Core.Planning.PlanPreview Plan, string ApplyPostUri);

/// <summary>
/// The bodies of the preview-then-apply routes (<c>POST /api/pairs/{name}/plan</c>, <c>POST /api/plans/{id}/apply</c>),
/// the same in every host.
/// </summary>
public sealed class PlanApi(PlanService plans, ApiUrls urls, ILogger log)
{
    /// <summary>Plans the pair now (nothing changes): 201 with the plan and <c>applyPostUri</c>; 400, 404, 503 when it cannot be planned.</summary>
    public Task<IResult> PreviewAsync(HttpRequest request, string name, CancellationToken cancellationToken) =>
        SyncHttp.GuardAsync(request, log, async () =>
        {
            var result = await plans.PreviewAsync(name, cancellationToken).ConfigureAwait(false);
            if (result.Value is not { } plan)
            {
                return SyncHttp.From(result);
            }

            var apply = urls.Of($"plans/{plan.Id}/apply");
            return Results.Json(new PlanCreated(plan.Id, plan.Pair, plan.CreatedTime, plan.ExpiresTime, plan.Plan, apply.ToString()), SyncHttp.Json, statusCode: 201);
        });

    /// <summary>
    /// Runs exactly the previewed plan: 202 like a started run (<c>Location</c> = its status); 404 once the plan expired;
    /// 409 when it was applied already or the pair changed since (the body says what changed); 400 for a malformed id.
    /// </summary>
    public Task<IResult> ApplyAsync(HttpRequest request, string id, CancellationToken cancellationToken) =>
        SyncHttp.GuardAsync(request, log, async () =>
        {
            var result = await plans.ApplyAsync(id, cancellationToken).ConfigureAwait(false);
            if (result.Outcome == ServiceOutcome.Conflict && result.Value is { } inTheWay)
            {
                return SyncHttp.Problem(409, "conflict", result.Problem!, new() { ["runId"] = inTheWay.Id, ["statusQueryGetUri"] = urls.Run(inTheWay.Id).ToString() });
            }

            return result.Succeeded ? RunApi.Accepted(result.Value!, urls) : SyncHttp.From(result);
        });
}
