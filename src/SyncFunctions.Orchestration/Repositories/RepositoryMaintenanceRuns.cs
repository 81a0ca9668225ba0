using System.Globalization;
using System.Security.Cryptography;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Orchestration.Repositories;

/// <summary>A maintenance request as the HTTP API and the timers make it.</summary>
/// <param name="DryRun">Report only (default false).</param>
/// <param name="Max">Per repository: the most objects deleted (gc) or packs repacked (compact), 1..1,000,000; null: no limit.</param>
/// <param name="Repository">One repository's canonical endpoint (as <c>GET /api/stats</c> lists it), or null for all.</param>
public sealed record RepositoryMaintenanceRequest(bool? DryRun = null, int? Max = null, string? Repository = null);

/// <summary>A maintenance orchestration as the status API shows it (Durable's status shape, typed).</summary>
/// <param name="Id">The instance id (<c>maintenance-{operation}-{time}-{hex}</c>).</param>
/// <param name="Operation">gc or compact.</param>
/// <param name="RuntimeStatus">Pending, Running, Completed, Failed or Terminated.</param>
/// <param name="CreatedTime">When it was scheduled.</param>
/// <param name="LastUpdatedTime">When its state last changed.</param>
/// <param name="CustomStatus">Its progress, while it runs and at its end.</param>
/// <param name="Output">What it did (Completed only).</param>
/// <param name="Failure">Why it failed (Failed only).</param>
public sealed record RepositoryMaintenanceStatus(
    string Id,
    string Operation,
    string RuntimeStatus,
    DateTimeOffset CreatedTime,
    DateTimeOffset LastUpdatedTime,
    RepositoryMaintenanceProgress? CustomStatus,
    RepositoryMaintenanceOutput? Output,
    string? Failure);

/// <summary>
/// Starts, waits for and reads maintenance orchestrations on a task hub; the same in the Functions app and <c>serve</c>.
/// At most one maintenance instance (GC or compaction) runs at a time on a task hub: a start while one is Pending or
/// Running answers a conflict with that one (two starts in the same instant may both pass the check; GC's marks,
/// compaction's plan-age check and conditional deletes keep that safe, as the race tests interleave them).
/// </summary>
public sealed class RepositoryMaintenanceRuns(DurableTaskClient client, RepositoryCatalog catalog, TimeProvider time)
{
    /// <summary>The largest <see cref="RepositoryMaintenanceRequest.Max"/>.</summary>
    public const int MaxLimit = 1_000_000;

    /// <summary>Starts <paramref name="operation"/> (Accepted with the new instance's status), or says why not.</summary>
    public async Task<ServiceResult<RepositoryMaintenanceStatus>> StartAsync(string operation, RepositoryMaintenanceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!RepositoryOperations.IsKnown(operation))
        {
            return ServiceResult<RepositoryMaintenanceStatus>.NotFound($"no maintenance operation '{operation}'");
        }

        if (request.Max is < 1 or > MaxLimit)
        {
            return ServiceResult<RepositoryMaintenanceStatus>.Invalid(string.Create(CultureInfo.InvariantCulture, $"max must be between 1 and {MaxLimit} (got {request.Max})"));
        }

        if (request.Repository is { } one)
        {
            var known = await catalog.ListAsync(cancellationToken).ConfigureAwait(false);
            if (known.All(r => r.Repository != one))
            {
                return ServiceResult<RepositoryMaintenanceStatus>.NotFound(
                    $"no named pair writes into the repository '{one}' (give it as GET /api/stats lists it; known: {(known.Count == 0 ? "none" : string.Join(", ", known.Select(r => r.Repository)))})");
            }
        }

        if (await RunningAsync(cancellationToken).ConfigureAwait(false) is { } running)
        {
            return ServiceResult<RepositoryMaintenanceStatus>.Conflict($"{running.Operation} {running.Id} is {running.RuntimeStatus.ToLowerInvariant()}: one maintenance run at a time", running);
        }

        var id = RepositoryMaintenanceNames.PrefixOf(operation)
            + time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));
        var input = new RepositoryMaintenanceInput(operation, request.DryRun ?? false, request.Max, request.Repository);
        await client.ScheduleNewOrchestrationInstanceAsync(RepositoryMaintenanceNames.Orchestrator, input, new StartOrchestrationOptions(id), cancellationToken).ConfigureAwait(false);
        var started = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        return new ServiceResult<RepositoryMaintenanceStatus>(ServiceOutcome.Accepted, started.Value);
    }

    /// <summary>Waits up to <paramref name="timeout"/> for <paramref name="id"/> to end; its status then (ended or not).</summary>
    public async Task<ServiceResult<RepositoryMaintenanceStatus>> WaitAsync(string id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        try
        {
            await client.WaitForInstanceCompletionAsync(id, wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Still running: the caller answers with its status URL.
        }

        return await GetAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The status of maintenance instance <paramref name="id"/>; NotFound for an unknown id or one that is not a maintenance instance.</summary>
    public async Task<ServiceResult<RepositoryMaintenanceStatus>> GetAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (!id.StartsWith(RepositoryMaintenanceNames.InstancePrefix, StringComparison.Ordinal))
        {
            return ServiceResult<RepositoryMaintenanceStatus>.NotFound($"'{id}' is not a maintenance run (their ids start with '{RepositoryMaintenanceNames.InstancePrefix}')");
        }

        var metadata = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        return metadata is null
            ? ServiceResult<RepositoryMaintenanceStatus>.NotFound($"no maintenance run '{id}'")
            : ServiceResult<RepositoryMaintenanceStatus>.Ok(StatusOf(metadata));
    }

    private async Task<RepositoryMaintenanceStatus?> RunningAsync(CancellationToken cancellationToken)
    {
        var query = new OrchestrationQuery
        {
            InstanceIdPrefix = RepositoryMaintenanceNames.InstancePrefix,
            Statuses = [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending],
            FetchInputsAndOutputs = true,
        };
        await foreach (var metadata in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            return StatusOf(metadata);
        }

        return null;
    }

    /// <summary>The status in the API's five words (Suspended and the like count as Running).</summary>
    private static string RuntimeStatus(OrchestrationRuntimeStatus status) => status switch
    {
        OrchestrationRuntimeStatus.Pending => "Pending",
        OrchestrationRuntimeStatus.Completed => "Completed",
        OrchestrationRuntimeStatus.Failed => "Failed",
        OrchestrationRuntimeStatus.Terminated => "Terminated",
        _ => "Running",
    };

    private static RepositoryMaintenanceStatus StatusOf(OrchestrationMetadata metadata)
    {
        var input = metadata.SerializedInput is { Length: > 0 } ? metadata.ReadInputAs<RepositoryMaintenanceInput>() : null;
        var progress = metadata.SerializedCustomStatus is { Length: > 0 } ? metadata.ReadCustomStatusAs<RepositoryMaintenanceProgress>() : null;
        var output = metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed && metadata.SerializedOutput is { Length: > 0 }
            ? metadata.ReadOutputAs<RepositoryMaintenanceOutput>()
            : null;
        var failure = metadata.FailureDetails is { } f ? $"{f.ErrorType}: {f.ErrorMessage}" : null;
        return new RepositoryMaintenanceStatus(
            metadata.InstanceId, input?.Operation ?? "", RuntimeStatus(metadata.RuntimeStatus), metadata.CreatedAt, metadata.LastUpdatedAt, progress, output, failure);
    }
}
