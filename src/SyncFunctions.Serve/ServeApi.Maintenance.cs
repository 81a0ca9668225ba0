using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SyncFunctions.Core.Maintenance;
using SyncFunctions.Http;
using SyncFunctions.Orchestration.Repositories;
using SyncFunctions.Orchestration.Timers;

namespace SyncFunctions.Serve;

/// <summary>The body of <c>POST /api/maintenance</c>; both fields optional (no body: a real pass with the default retention).</summary>
/// <param name="DryRun">Report what would be removed, remove nothing.</param>
/// <param name="RetentionDays">Runs ended longer ago than this lose their rows (1..36500; default 30).</param>
public sealed record MaintenanceRequest(bool? DryRun = null, int? RetentionDays = null);

public static partial class ServeApi
{
    /// <summary>
    /// <c>POST /api/maintenance</c> <c>{"dryRun":bool,"retentionDays":N}</c>: one maintenance pass now, answered with its
    /// report (200). Behind the API key like every <c>/api</c> route (the key check is <see cref="MapSyncApi"/>'s, which
    /// must be mapped first).
    /// </summary>
    public static void MapMaintenanceApi(this WebApplication app, MaintenanceJob maintenance)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(maintenance);
        app.MapPost("/api/maintenance", async (HttpRequest request, CancellationToken ct) =>
        {
            var (body, problem) = await SyncHttp.ReadOptionalJsonAsync(request, new MaintenanceRequest(), ct).ConfigureAwait(false);
            if (body is null)
            {
                return problem!;
            }

            if (body.RetentionDays is < 1 or > 36_500)
            {
                return SyncHttp.Problem(400, "bad request", $"retentionDays must be between 1 and 36500 (got {body.RetentionDays})");
            }

            var options = maintenance.Options with
            {
                DryRun = body.DryRun ?? false,
                Retention = body.RetentionDays is { } days ? TimeSpan.FromDays(days) : maintenance.Options.Retention,
            };
            return Results.Json(await maintenance.RunAsync(options, ct).ConfigureAwait(false), SyncHttp.Json);
        });
    }

    /// <summary>
    /// The snapshot repositories' maintenance and the stats (<see cref="MaintenanceApi"/>): <c>POST /api/maintenance/gc</c>,
    /// <c>POST /api/maintenance/compact</c>, <c>GET /api/maintenance/runs/{id}</c>, <c>GET /api/stats</c>; behind the key.
    /// </summary>
    public static void MapRepositoryMaintenanceApi(this WebApplication app, MaintenanceApi api)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(api);
        app.MapPost("/api/maintenance/gc", (HttpRequest request, CancellationToken ct) => api.StartAsync(request, RepositoryOperations.Gc, ct));
        app.MapPost("/api/maintenance/compact", (HttpRequest request, CancellationToken ct) => api.StartAsync(request, RepositoryOperations.Compact, ct));
        app.MapGet("/api/maintenance/runs/{id}", (HttpRequest request, string id, CancellationToken ct) => api.GetAsync(request, id, ct));
        app.MapGet("/api/stats", (HttpRequest request, CancellationToken ct) => api.StatsAsync(request, ct));
    }
}
