using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using SyncFunctions.Abstractions;
using SyncFunctions.App.Composition;
using SyncFunctions.Http;

namespace SyncFunctions.App.Functions;

/// <summary>
/// The one step between an HTTP function and the shared route bodies: compose (or answer 503 when the app is not
/// configured or its storage is down), run the body, and hand its <see cref="IResult"/> to the Functions ASP.NET Core
/// integration as an <see cref="IActionResult"/> (the integration executes action results).
/// </summary>
internal static class HttpEntry
{
    public static async Task<IActionResult> RunAsync(AppHost app, HttpRequest request, Func<AppServices, Task<IResult>> body, CancellationToken cancellationToken)
    {
        AppServices services;
        try
        {
            services = await app.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AppNotConfiguredException e)
        {
            return new ResultAction(SyncHttp.Problem(503, "not configured", e.Message));
        }
        catch (StorageException e)
        {
            return new ResultAction(SyncHttp.Problem(503, "storage unavailable", e.Message));
        }

        return new ResultAction(await body(services).ConfigureAwait(false));
    }

    /// <summary>A minimal-API result executed as an MVC action result.</summary>
    public sealed class ResultAction(IResult result) : IActionResult
    {
        public IResult Result { get; } = result;

        public Task ExecuteResultAsync(ActionContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            return Result.ExecuteAsync(context.HttpContext);
        }
    }
}
