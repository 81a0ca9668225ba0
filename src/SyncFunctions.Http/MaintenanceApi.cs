using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SyncFunctions.Orchestration.Repositories;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Http;

/// <summary>
/// The bodies of the repository maintenance and stats routes, the same in every host: <c>POST /api/maintenance/gc</c>,
/// <c>POST /api/maintenance/compact</c>, <c>GET /api/maintenance/runs/{id}</c>, <c>GET /api/stats</c>.
/// </summary>
/// <param name="runs">Starts and reads the maintenance orchestrations.</param>
/// <param name="stats">Per pair and per repository stats.</param>
/// <param name="urls">The URLs handed out.</param>
/// <param name="log">Where failures of a request are logged (never keys or bodies).</param>
public sealed class MaintenanceApi(RepositoryMaintenanceRuns runs, ServiceStats stats, ApiUrls urls, ILogger log)
{
    /// <summary>Seconds a start waits for the run to end when the query gives no <c>wait</c>.</summary>
    public const int DefaultWaitSeconds = 30;

    /// <summary>The longest <c>wait</c> (the Functions host ends an HTTP request after 230 s).</summary>
    public const int MaxWaitSeconds = 200;

    /// <summary>
    /// Starts <paramref name="operation"/> (gc or compact) over every repository, or the one the body names, as an
    /// orchestration, and waits up to <c>wait</c> seconds (query; default 30, 0..200) for it: 200 with what was scanned,
    /// found orphaned and freed when it ended in time, else 202 with <c>Location</c> = its status URL. 409 while one
    /// runs (with its id and status URL), 400 for a bad body, 404 for an unknown repository.
    /// </summary>
    public Task<IResult> StartAsync(HttpRequest request, string operation, CancellationToken cancellationToken) =>
        SyncHttp.GuardAsync(request, log, async () =>
        {
            ArgumentNullException.ThrowIfNull(request);
            var wait = DefaultWaitSeconds;
            if (request.Query["wait"].FirstOrDefault() is { } text
                && (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out wait) || wait is < 0 or > MaxWaitSeconds))
            {
                return SyncHttp.Problem(400, "bad request", $"wait must be a number of seconds from 0 to {MaxWaitSeconds} (got '{(text.Length > 40 ? text[..40] + "…" : text)}')");
            }

            var (body, problem) = await SyncHttp.ReadOptionalJsonAsync(request, new RepositoryMaintenanceRequest(), cancellationToken).ConfigureAwait(false);
            if (body is null)
            {
                return problem!;
            }

            var started = await runs.StartAsync(operation, body, cancellationToken).ConfigureAwait(false);
            if (started.Outcome == ServiceOutcome.Conflict && started.Value is { } running)
            {
                return SyncHttp.Problem(409, "maintenance running", started.Problem!, new() { ["id"] = running.Id, ["statusQueryGetUri"] = StatusUrl(running.Id).ToString() });
            }

            if (!started.Succeeded)
            {
                return SyncHttp.From(started);
            }

            var id = started.Value!.Id;
            var status = wait == 0 ? started : await runs.WaitAsync(id, TimeSpan.FromSeconds(wait), cancellationToken).ConfigureAwait(false);
            return Answer(status.Value ?? started.Value);
        });

    /// <summary>A maintenance run's status (Durable's shape: runtimeStatus, customStatus = progress, output = what it did); 404 for an unknown id.</summary>
    public Task<IResult> GetAsync(HttpRequest request, string id, CancellationToken cancellationToken) =>
        SyncHttp.GuardAsync(request, log, async () => SyncHttp.From(await runs.GetAsync(id, cancellationToken).ConfigureAwait(false)));

    /// <summary>Every named pair (endpoints, run count, last run) and every snapshot repository (<c>repo stats</c>' figures).</summary>
    public Task<IResult> StatsAsync(HttpRequest request, CancellationToken cancellationToken) =>
        SyncHttp.GuardAsync(request, log, async () => Results.Json(await stats.ComputeAsync(cancellationToken).ConfigureAwait(false), SyncHttp.Json));

    private IResult Answer(RepositoryMaintenanceStatus status)
    {
        var url = StatusUrl(status.Id);
        var body = new { status.Id, status.Operation, status.RuntimeStatus, status.CreatedTime, status.LastUpdatedTime, status.CustomStatus, status.Output, status.Failure, StatusQueryGetUri = url.ToString() };
        return status.RuntimeStatus is "Pending" or "Running"
            ? SyncHttp.WithLocation(Results.Json(body, SyncHttp.Json, statusCode: 202), url)
            : Results.Json(body, SyncHttp.Json);
    }

    private Uri StatusUrl(string id) => urls.Of("maintenance/runs/" + Uri.EscapeDataString(id));
}
