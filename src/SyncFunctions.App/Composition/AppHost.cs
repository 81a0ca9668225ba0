using SyncFunctions.Core.Protocol;
using SyncFunctions.Orchestration;

namespace SyncFunctions.App.Composition;

/// <summary>
/// The app's services, composed on first use (so a missing setting is answered as 503 "not configured" instead of a
/// host that cannot start) and kept once composed; a failed composition (bad setting, storage down) is tried again
/// on the next call.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class AppHost : IDisposable
{
    private readonly Func<CancellationToken, Task<AppServices>> _compose;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AppServices? _services;

    /// <param name="compose">Builds the services (reads settings, opens accounts, creates the ledger tables).</param>
    /// <param name="owner">This process, in lease owner ids.</param>
    public AppHost(Func<CancellationToken, Task<AppServices>> compose, OwnerIdentity owner)
    {
        _compose = compose;
        Owner = owner;
    }

    /// <summary>This process in the ledger's leases.</summary>
    public OwnerIdentity Owner { get; }

    /// <summary>A host over services composed already (tests).</summary>
    public static AppHost Of(AppServices services, OwnerIdentity owner) => new(_ => Task.FromResult(services), owner);

    /// <summary>The services; throws <see cref="AppNotConfiguredException"/> or the storage failure of the composition.</summary>
    public async Task<AppServices> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _services) is { } ready)
        {
            return ready;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _services ??= await _compose(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The run steps of the composed services, for the activities (which compose on their first call).</summary>
    public IRunStepsProvider Steps => new DeferredSteps(this);

    public void Dispose()
    {
        (_services?.Steps as IDisposable)?.Dispose();
        _gate.Dispose();
    }

    private sealed class DeferredSteps(AppHost host) : IRunStepsProvider
    {
        public async ValueTask<RunSteps> GetAsync(string pairId, CancellationToken cancellationToken)
        {
            var services = await host.GetAsync(cancellationToken).ConfigureAwait(false);
            return await services.Steps.GetAsync(pairId, cancellationToken).ConfigureAwait(false);
        }

        public string NewWorkerId() => LeaseOwners.New(host.Owner);
    }
}
