using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using SyncFunctions.Abstractions;
using SyncFunctions.Http;
using SyncFunctions.Orchestration;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.App.Composition;

/// <summary>What the app's functions call, composed once per process: the ledger, the pairs' run steps, endpoint parsing.</summary>
/// <param name="Ledger">The ledger (retry-wrapped, tables created).</param>
/// <param name="Steps">The run steps of each pair.</param>
/// <param name="Endpoints">Endpoint parsing of new pairs.</param>
/// <param name="Time">The clock.</param>
/// <param name="PublicUrl">The base of the URLs handed out; null: the request's.</param>
/// <param name="Logs">Logs of the API.</param>
public sealed record AppServices(ILedger Ledger, IRunStepsProvider Steps, IPairEndpoints Endpoints, TimeProvider Time, Uri? PublicUrl, ILoggerFactory Logs)
{
    public PairService Pairs => new(Ledger, Endpoints, Time);

    /// <summary>The pair routes for <paramref name="request"/> (its URLs on the public URL, else the request's host).</summary>
    public PairApi PairApi(HttpRequest request) => new(Pairs, ApiUrls.For(request, PublicUrl), Logs.CreateLogger("SyncFunctions.App"));

    /// <summary>The run routes for <paramref name="request"/> over the invocation's Durable client.</summary>
    public RunApi RunApi(HttpRequest request, DurableTaskClient client) =>
        new(new RunService(Ledger, Pairs, Steps, client, Time), ApiUrls.For(request, PublicUrl), Time, Logs.CreateLogger("SyncFunctions.App"));
}
