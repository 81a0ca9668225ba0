using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SyncFunctions.Abstractions;
using SyncFunctions.Orchestration;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Serve;

/// <summary>How <c>syncfn serve</c> runs.</summary>
/// <param name="Port">The loopback port of the API (0: a free one).</param>
/// <param name="TaskHubConnection">The storage account of the Durable task hub.</param>
/// <param name="StateDirectory">Where the generated API key is kept.</param>
/// <param name="PublicUrl">The base URL handed out in status URLs and to Graph / Event Grid; null: the listening URL.</param>
/// <param name="Workers">Activities this process runs at once.</param>
/// <param name="TaskHub">The task hub; every <c>serve</c> on the account with the same name shares its runs.</param>
public sealed record ServeOptions(int Port, string TaskHubConnection, string StateDirectory, Uri? PublicUrl = null, int Workers = 8, string TaskHub = DurableHostOptions.DefaultTaskHub)
{
    /// <summary>Orchestration limits of the runs this host starts.</summary>
    public RunOrchestrationLimits Limits { get; init; } = RunOrchestrationLimits.Default;
}

/// <summary>What the composition root gives <see cref="ServeHost"/>: the ledger (retrying), the pairs' steps, endpoint parsing.</summary>
public sealed record ServeServices(ILedger Ledger, IRunStepsProvider Steps, IPairEndpoints Endpoints, TimeProvider Time)
{
    /// <summary>The storage accounts blob events come from, with the identities pairs name them by.</summary>
    public IReadOnlyList<BlobAccountAlias> BlobAccounts { get; init; } = [];
}

/// <summary>
/// <c>syncfn serve</c>: the run orchestrations hosted durably (<see cref="DurableHost"/>) and the HTTP API
/// (<see cref="ServeApi"/>) on a loopback port, until <c>stop</c> is signalled. Runs in flight stay in the task hub
/// and continue on the next start or on another <c>serve</c> of the same hub.
/// </summary>
public static class ServeHost
{
    /// <summary>Starts, prints <c>serve listening on URL</c> on <paramref name="stdout"/> once listening, and runs until <paramref name="stop"/>.</summary>
    public static async Task RunAsync(ServeOptions options, ServeServices services, TextWriter stdout, ILoggerFactory logs, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(stdout);
        var key = ApiKey.Load(options.StateDirectory);
        var workerId = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        await using var durable = await DurableHost.StartAsync(
            new DurableHostOptions(options.TaskHubConnection, options.TaskHub, workerId, options.Workers), services.Steps, logs, stop).ConfigureAwait(false);
        await using var app = Build(options, services, key, durable.Client, logs, out var listening);
        await app.StartAsync(stop).ConfigureAwait(false);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        listening.Url = new Uri($"http://127.0.0.1:{address.Port}/");
        await stdout.WriteLineAsync($"serve listening on http://127.0.0.1:{address.Port}").ConfigureAwait(false);
        await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);

        try
        {
            await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Ctrl-C / SIGTERM: stop taking requests, let the worker abandon what it holds.
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await app.StopAsync(grace.Token).ConfigureAwait(false);
    }

    private static WebApplication Build(ServeOptions options, ServeServices services, ApiKey key, DurableTaskClient client, ILoggerFactory logs, out Listening listening)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(logs);
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, options.Port);
            k.Limits.MaxRequestBodySize = ServeApi.MaxBodyBytes;
            k.AddServerHeader = false;
        });
        builder.Services.AddProblemDetails();
        var app = builder.Build();
        var pairs = new PairService(services.Ledger, services.Endpoints, services.Time);
        var runs = new RunService(services.Ledger, pairs, services.Steps, client, services.Time) { Limits = options.Limits };
        var current = new Listening(options.PublicUrl);
        listening = current;
        var blobEvents = new BlobEventsWebhookService(
            services.Ledger, services.Ledger, (name, ct) => runs.StartAsync(name, BlobEventsWebhookService.Trigger, markDirtyWhenBusy: true, ct), services.BlobAccounts, services.Time, logs.CreateLogger("SyncFunctions.Serve.BlobEvents"));
        app.MapSyncApi(new ServeApiContext(pairs, runs, key, () => current.PublicUrl ?? current.Url ?? throw new InvalidOperationException("not listening yet"), services.Time, logs.CreateLogger("SyncFunctions.Serve"))
        {
            BlobEvents = blobEvents,
        });
        return app;
    }

    /// <summary>The URLs of a started host.</summary>
    private sealed class Listening(Uri? publicUrl)
    {
        public Uri? PublicUrl { get; } = publicUrl is null ? null : new Uri(publicUrl.ToString().TrimEnd('/') + "/");

        public Uri? Url { get; set; }
    }
}
