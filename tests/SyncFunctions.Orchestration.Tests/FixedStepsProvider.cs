using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Orchestration.Tests;

/// <summary>The same run steps for every pair (a test serves one pair), worker ids of <paramref name="owner"/>.</summary>
internal sealed class FixedStepsProvider(RunSteps steps, OwnerIdentity owner) : IRunStepsProvider
{
    public ValueTask<RunSteps> GetAsync(string pairId, CancellationToken cancellationToken) => ValueTask.FromResult(steps);

    public string NewWorkerId() => LeaseOwners.New(owner);

    /// <summary>The in-memory Durable host with the sync orchestrations and activities over <paramref name="provider"/>.</summary>
    public static Task<DurableTaskTestHost> StartHostAsync(IRunStepsProvider provider) =>
        DurableTaskTestHost.StartAsync(
            r => r.AddSyncTasks(),
            new DurableTaskTestHostOptions
            {
                ConfigureServices = services =>
                {
                    services.AddSingleton(provider);
                    services.AddSingleton<IRunLauncher>(sp => new DurableRunLauncher(sp.GetRequiredService<DurableTaskClient>()));
                },
            });
}

/// <summary>Liveness that knows nothing: takeovers wait for leases to end.</summary>
internal sealed class UnknownLiveness : IOwnerLiveness
{
    public bool? IsAlive(string host, int pid, DateTimeOffset started) => null;
}
