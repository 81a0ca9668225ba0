using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using SyncFunctions.App.Composition;
using SyncFunctions.Core.Endpoints;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Retry;
using SyncFunctions.Core.Stores;
using SyncFunctions.Orchestration.Hosting;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.App.Tests.Infrastructure;

/// <summary>The app's services over an in-memory ledger and local folders (the local scheme), and HTTP requests built by hand.</summary>
internal sealed class AppFixture : IDisposable
{
    public const string Host = "syncfn-app.example";

    private static readonly IServiceProvider RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider();
    private readonly EndpointStepsProvider _steps;

    public AppFixture()
    {
        Root = Directory.CreateTempSubdirectory("syncfn-app-").FullName;
        var time = TimeProvider.System;
        var owner = new OwnerIdentity("app-test", Environment.ProcessId, time.GetUtcNow());
        var registry = new EndpointRegistry([new LocalEndpointScheme(time)]);
        var env = new EngineEnvironment(time, owner, new UnknownLiveness(), Settings: new StepSettings { CoordinatorLease = TimeSpan.FromMinutes(10) });
        _steps = new EndpointStepsProvider(Ledger, registry, env, RetryDecorators.PolicyFor(time), parallel: 2);
        Services = new AppServices(Ledger, _steps, new RegistryPairEndpoints(registry, Root, (e, _) => e), time, null, NullLoggerFactory.Instance);
        App = AppHost.Of(Services, owner);
    }

    public string Root { get; }

    public InMemoryLedger Ledger { get; } = new();

    public AppServices Services { get; }

    public AppHost App { get; }

    /// <summary>A folder under the fixture's root, created, with its files.</summary>
    public string Folder(string name, params (string Path, string Text)[] files)
    {
        var folder = Path.Combine(Root, name);
        Directory.CreateDirectory(folder);
        foreach (var (path, text) in files)
        {
            var full = Path.Combine(folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }

        return folder;
    }

    /// <summary>A request as the Functions host hands it over: no key on it (the host checked it).</summary>
    public static HttpRequest Request(string method, string path, string? body = null, string contentType = "application/json", string? query = null)
    {
        var http = new DefaultHttpContext { RequestServices = RequestServices };
        http.Request.Method = method;
        http.Request.Scheme = "https";
        http.Request.Host = new HostString(Host);
        http.Request.Path = path;
        if (query is not null)
        {
            http.Request.QueryString = new QueryString(query);
        }

        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            http.Request.Body = new MemoryStream(bytes);
            http.Request.ContentLength = bytes.Length;
            http.Request.ContentType = contentType;
        }

        http.Response.Body = new MemoryStream();
        return http.Request;
    }

    public static string Json(object value) => JsonSerializer.Serialize(value);

    /// <summary>Executes what a function returned, as the Functions ASP.NET Core integration does, and reads the response.</summary>
    public static async Task<Response> ExecuteAsync(HttpRequest request, IActionResult result)
    {
        var http = request.HttpContext;
        await result.ExecuteResultAsync(new ActionContext(http, new RouteData(), new ActionDescriptor()));
        return Response.Of(http);
    }

    public void Dispose()
    {
        _steps.Dispose();
        Directory.Delete(Root, recursive: true);
    }

    private sealed class UnknownLiveness : IOwnerLiveness
    {
        public bool? IsAlive(string host, int pid, DateTimeOffset started) => null;
    }
}

/// <summary>A response read back: status, content type, headers and body.</summary>
internal sealed record Response(int Status, string? ContentType, IHeaderDictionary Headers, string Body)
{
    public static Response Of(HttpContext http)
    {
        http.Response.Body.Position = 0;
        using var reader = new StreamReader(http.Response.Body, Encoding.UTF8, leaveOpen: true);
        return new Response(http.Response.StatusCode, http.Response.ContentType, http.Response.Headers, reader.ReadToEnd());
    }

    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    public string? Location => Headers.Location.FirstOrDefault();
}
