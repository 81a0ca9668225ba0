using System.Runtime.CompilerServices;
using Cronos;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Orchestration.Service;

/// <summary>The options a named pair's runs take (what <c>syncfn sync</c> takes as flags), all optional.</summary>
/// <param name="ChunkSize">Bytes per staged block.</param>
/// <param name="Parallel">Workers of an in-process run (1..100).</param>
/// <param name="Force">Overwrite destination objects someone else changed.</param>
/// <param name="MaxDelete">The delete guard: <c>N</c> or <c>P%</c>.</param>
public sealed record PairOptions(long? ChunkSize = null, int? Parallel = null, bool? Force = null, string? MaxDelete = null);

/// <summary>A pair to add: endpoints written as on the command line.</summary>
/// <param name="Name">The pair's name.</param>
/// <param name="Source">The source endpoint.</param>
/// <param name="Destination">The destination endpoint.</param>
/// <param name="Schedule">A six-field cron expression (seconds first, UTC) of reconciliation runs.</param>
/// <param name="Subscribe">Run on the source's change notifications.</param>
/// <param name="Options">The runs' options.</param>
public sealed record PairRequest(string? Name, string? Source, string? Destination, string? Schedule = null, bool? Subscribe = null, PairOptions? Options = null);

/// <summary>A named pair as the service shows it.</summary>
public sealed record PairView(string Name, string PairId, string Source, string Destination, string? Schedule, bool Subscribe, PairOptions Options, DateTimeOffset? CreatedAt, string? ActiveRunId);

/// <summary>Named pairs: add (validated before anything is stored), list, show, remove. Same class in every host.</summary>
public sealed class PairService(ILedger ledger, IPairEndpoints endpoints, TimeProvider time)
{
    /// <summary>Called with the pair's name after it was added or removed (a host reconciles its schedule).</summary>
    public Func<string, CancellationToken, Task>? PairChanged { get; init; }

    /// <summary>The change-notification subscriptions of subscribing pairs; null: this host creates none (a pair still records that it asks).</summary>
    public PairSubscriptions? Subscriptions { get; init; }

    /// <summary>Validates and adds a pair; Conflict when the name is taken, Invalid with the reason for bad input.</summary>
    public async Task<ServiceResult<PairView>> AddAsync(PairRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (PairNames.Validate(request.Name) is { } nameProblem)
        {
            return ServiceResult<PairView>.Invalid("name: " + nameProblem);
        }

        if (string.IsNullOrWhiteSpace(request.Source) || string.IsNullOrWhiteSpace(request.Destination))
        {
            return ServiceResult<PairView>.Invalid("a pair needs a source and a destination");
        }

        if (request.Schedule is { } schedule && ScheduleProblem(schedule) is { } scheduleProblem)
        {
            return ServiceResult<PairView>.Invalid("schedule: " + scheduleProblem);
        }

        var options = ToSyncOptions(request.Options ?? new PairOptions(), out var optionsProblem);
        if (options is null)
        {
            return ServiceResult<PairView>.Invalid("options: " + optionsProblem);
        }

        (string Source, string Destination) canonical;
        try
        {
            canonical = endpoints.Resolve(request.Source, request.Destination);
        }
        catch (ServiceInputException e)
        {
            return ServiceResult<PairView>.Invalid(e.Message);
        }

        if (request.Subscribe == true && Subscriptions?.SubscribeProblem(canonical.Source) is { } subscribeProblem)
        {
            return ServiceResult<PairView>.Invalid("subscribe: " + subscribeProblem);
        }

        var definition = new PairDefinition(
            request.Name!, PairIdentity.Compute(canonical.Source, canonical.Destination), canonical.Source, canonical.Destination,
            request.Schedule, request.Subscribe ?? false, StoredOptions.ToJson(options), time.GetUtcNow());
        var stored = await ledger.TryAddDefinitionAsync(definition, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            var existing = await ledger.GetDefinitionAsync(definition.Name, cancellationToken).ConfigureAwait(false);
            return ServiceResult<PairView>.Conflict($"a pair named '{definition.Name}' exists", existing is null ? null : View(existing, null));
        }

        if (stored.Subscribe && Subscriptions is not null && await SubscribeAsync(stored, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return ServiceResult<PairView>.Invalid(refused);
        }

        if (PairChanged is { } changed)
        {
            await changed(stored.Name, cancellationToken).ConfigureAwait(false);
        }

        return new ServiceResult<PairView>(ServiceOutcome.Created, View(stored, null));
    }

    /// <summary>Every named pair, by name.</summary>
    public async IAsyncEnumerable<PairView> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var definition in ledger.ListDefinitionsAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return View(definition, null);
        }
    }

    /// <summary>One pair with its active run, or NotFound.</summary>
    public async Task<ServiceResult<PairView>> GetAsync(string name, CancellationToken cancellationToken)
    {
        var definition = await FindAsync(name, cancellationToken).ConfigureAwait(false);
        if (definition.Value is not { } found)
        {
            return new ServiceResult<PairView>(definition.Outcome, null, definition.Problem);
        }

        var pair = await ledger.GetPairAsync(found.PairId, cancellationToken).ConfigureAwait(false);
        return ServiceResult<PairView>.Ok(View(found, pair?.ActiveRunId));
    }

    /// <summary>
    /// Removes a named pair (its baseline and run history stay: adding it again resumes from them); Conflict while
    /// one of its runs is driven by a coordinator (a run handed back after a failure does not hold the pair).
    /// </summary>
    public async Task<ServiceResult<PairView>> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        var shown = await GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (shown.Value is not { } view)
        {
            return shown;
        }

        if (view.ActiveRunId is { } active && await ledger.GetRunAsync(view.PairId, active, cancellationToken).ConfigureAwait(false) is { Status: RunStatus.Running, CoordinatorId: not null })
        {
            return ServiceResult<PairView>.Conflict($"pair '{name}' has an active run {active}; cancel it first", view);
        }

        if (!await ledger.RemoveDefinitionAsync(view.Name, cancellationToken).ConfigureAwait(false))
        {
            return ServiceResult<PairView>.NotFound($"no pair named '{name}'");
        }

        if (view.Subscribe && Subscriptions is not null)
        {
            await Subscriptions.DeleteForPairAsync(view.Name, cancellationToken).ConfigureAwait(false);
        }

        if (PairChanged is { } changed)
        {
            await changed(view.Name, cancellationToken).ConfigureAwait(false);
        }

        return ServiceResult<PairView>.Ok(view);
    }

    /// <summary>Creates the subscription of a just-stored pair; on a refusal the pair is removed again and the reason returned.</summary>
    private async Task<string?> SubscribeAsync(PairDefinition stored, CancellationToken cancellationToken)
    {
        try
        {
            await Subscriptions!.CreateAsync(stored, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (StorageException e)
        {
            await ledger.RemoveDefinitionAsync(stored.Name, CancellationToken.None).ConfigureAwait(false);
            if (e.IsRetryable)
            {
                throw;
            }

            return "subscribe: the source's service refused the subscription (nothing was stored): " + e.Message;
        }
    }

    /// <summary>The stored pair named <paramref name="name"/>: Invalid for a malformed name, NotFound when absent.</summary>
    public async Task<ServiceResult<PairDefinition>> FindAsync(string name, CancellationToken cancellationToken)
    {
        if (PairNames.Validate(name) is { } problem)
        {
            return ServiceResult<PairDefinition>.Invalid(problem);
        }

        return await ledger.GetDefinitionAsync(name, cancellationToken).ConfigureAwait(false) is { } found
            ? ServiceResult<PairDefinition>.Ok(found)
            : ServiceResult<PairDefinition>.NotFound($"no pair named '{name}'");
    }

    /// <summary>The run options of <paramref name="definition"/>, started by <paramref name="trigger"/>.</summary>
    public static SyncOptions OptionsOf(PairDefinition definition, string trigger)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return StoredOptions.Restore(definition.OptionsJson, new SyncOptions { Trigger = trigger });
    }

    /// <summary>Null when <paramref name="schedule"/> is a six-field cron expression, else why not.</summary>
    public static string? ScheduleProblem(string schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 6)
        {
            return $"'{schedule}' is not a six-field cron expression (second minute hour day month weekday, e.g. \"0 */15 * * * *\")";
        }

        try
        {
            _ = CronExpression.Parse(schedule, CronFormat.IncludeSeconds);
            return null;
        }
        catch (CronFormatException e)
        {
            return $"'{schedule}': {e.Message}";
        }
    }

    private static SyncOptions? ToSyncOptions(PairOptions given, out string? problem)
    {
        problem = null;
        MaxDeleteLimit? limit = null;
        if (given.MaxDelete is { } text && (limit = MaxDeleteLimit.Parse(text, out var deleteProblem)) is null)
        {
            problem = "maxDelete " + deleteProblem;
            return null;
        }

        var defaults = new SyncOptions();
        var options = defaults with
        {
            ChunkSize = given.ChunkSize ?? defaults.ChunkSize,
            Parallel = given.Parallel ?? defaults.Parallel,
            Force = given.Force ?? false,
            MaxDelete = limit,
        };
        if (options.Validate() is { } invalid)
        {
            problem = $"{char.ToLowerInvariant(invalid.Option[0])}{invalid.Option[1..]} {invalid.Problem}";
            return null;
        }

        return options;
    }

    private static PairView View(PairDefinition d, string? activeRunId)
    {
        var o = StoredOptions.Restore(d.OptionsJson, new SyncOptions());
        return new PairView(d.Name, d.PairId, d.Source, d.Destination, d.Schedule, d.Subscribe, new PairOptions(o.ChunkSize, o.Parallel, o.Force, o.MaxDelete?.ToString()), d.CreatedAt, activeRunId);
    }
}
