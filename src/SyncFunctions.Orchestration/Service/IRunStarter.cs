namespace SyncFunctions.Orchestration.Service;

/// <summary>Starts a run of a named pair (or marks it to run again); what triggers other than the HTTP API need of <see cref="RunService"/>.</summary>
public interface IRunStarter
{
    /// <summary>See <see cref="RunService.StartAsync(string, string, bool, CancellationToken)"/>.</summary>
    Task<ServiceResult<RunStarted>> StartAsync(string name, string trigger, bool markDirtyWhenBusy, CancellationToken cancellationToken);
}
