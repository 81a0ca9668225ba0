using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>
/// The ledger on Azure Table Storage: pairs, runs, work items, actions, baseline and carry-over, each in
/// its own table, every update a CAS on the row's ETag.
/// </summary>
/// <remarks>
/// Keys: Pairs PK "pair" / RK pairId; Runs PK pairId / RK runId; WorkItems PK runId / RK itemId;
/// Actions PK runId_itemId / RK actionId (one partition per item, so one transaction claims or completes
/// an item); Baseline and CarryOver PK pairId / RK = order-preserving path encoding, with paths too long
/// for a row key in partition pairId~overflow under a hashed key; Staging PK runId / RK encoded item id;
/// Tree PK pairId / RK encoded item id; ChangedPaths keyed like the baseline. Every row carries SchemaVersion, and a row
/// written by a newer format fails with a clear message instead of being misread.
/// SDK failures are classified once with <see cref="AzureErrors"/>; an expected CAS conflict is a null result.
/// Thread-safe: one instance serves every worker of a process.
/// </remarks>
public sealed partial class TableLedger : ILedger
{
    private const int MaxTransactionSize = 100;
    private const int QueryPageSize = 1000;

    private readonly TableClient _pairs;
    private readonly TableClient _runs;
    private readonly TableClient _workItems;
    private readonly TableClient _actions;
    private readonly TableClient _baseline;
    private readonly TableClient _carryOver;
    private readonly TableServiceClient _service;
    private readonly TableClient _tree;

    /// <summary>Creates a ledger over <paramref name="service"/>.</summary>
    /// <param name="service">The Table service client (its pipeline decides retries: keep them off, Core retries).</param>
    /// <param name="tablePrefix">Letters and digits put before every table name, so tests or tenants can be isolated.</param>
    public TableLedger(TableServiceClient service, string tablePrefix = "")
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(tablePrefix);
        if (!tablePrefix.All(char.IsAsciiLetterOrDigit) || (tablePrefix.Length > 0 && !char.IsAsciiLetter(tablePrefix[0])) || tablePrefix.Length > 40)
        {
            throw new ArgumentException("A table prefix holds at most 40 ASCII letters and digits and starts with a letter.", nameof(tablePrefix));
        }

        TablePrefix = tablePrefix;
        _service = service;
        _pairs = service.GetTableClient(tablePrefix + "SyncPairs");
        _runs = service.GetTableClient(tablePrefix + "SyncRuns");
        _workItems = service.GetTableClient(tablePrefix + "SyncWorkItems");
        _actions = service.GetTableClient(tablePrefix + "SyncActions");
        _baseline = service.GetTableClient(tablePrefix + "SyncBaseline");
        _carryOver = service.GetTableClient(tablePrefix + "SyncCarryOver");
        _tree = service.GetTableClient(tablePrefix + "SyncTree");
    }

    /// <summary>A ledger on the tables of <paramref name="connection"/>.</summary>
    public static TableLedger Create(AzureStorageConnection connection, string tablePrefix = "")
    {
        ArgumentNullException.ThrowIfNull(connection);
        return new TableLedger(connection.TableService, tablePrefix);
    }

    public string TablePrefix { get; }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        TableClient[] tables = [_pairs, _runs, _workItems, _actions, _baseline, _carryOver, _tree, ChangedPaths];
        await Task.WhenAll(tables.Select(table => CallAsync(
            () => table.CreateIfNotExistsAsync(cancellationToken), $"create table {table.Name}", cancellationToken)));
    }

    public async Task<PairRecord> GetOrCreatePairAsync(PairRecord template, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        TableKeys.Require(template.PairId, "pair id");
        if (await GetPairAsync(template.PairId, cancellationToken) is { } existing)
        {
            return existing;
        }

        var etag = await TryReplaceAsync(_pairs, LedgerRows.ToRow(template), null, cancellationToken);
        return etag is not null
            ? template with { ETag = etag }
            : await GetPairAsync(template.PairId, cancellationToken)
                ?? throw new StorageException(StorageErrorKind.Transient, $"pair {template.PairId} vanished while being created");
    }

    public async Task<PairRecord?> GetPairAsync(string pairId, CancellationToken cancellationToken)
    {
        TableKeys.Require(pairId, "pair id");
        var row = await GetRowAsync(_pairs, LedgerRows.PairPartition, pairId, cancellationToken);
        return row is null ? null : LedgerRows.ToPair(row, _pairs.Name);
    }

    public async Task<PairRecord?> TryUpdatePairAsync(PairRecord pair, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pair);
        TableKeys.Require(pair.PairId, "pair id");
        var etag = await TryReplaceAsync(_pairs, LedgerRows.ToRow(pair), pair.ETag, cancellationToken);
        return etag is null ? null : pair with { ETag = etag };
    }

    public async Task<RunRecord> CreateRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        TableKeys.Require(run.PairId, "pair id");
        TableKeys.Require(run.RunId, "run id");
        var response = await CallAsync(
            () => _runs.AddEntityAsync(LedgerRows.ToRow(run), cancellationToken), $"create run {run.RunId}", cancellationToken);
        return run with { ETag = response.Headers.ETag?.ToString() };
    }

    public async Task<RunRecord?> GetRunAsync(string pairId, string runId, CancellationToken cancellationToken)
    {
        TableKeys.Require(pairId, "pair id");
        TableKeys.Require(runId, "run id");
        var row = await GetRowAsync(_runs, pairId, runId, cancellationToken);
        return row is null ? null : LedgerRows.ToRun(row, _runs.Name);
    }

    public async Task<RunRecord?> FindRunAsync(string runId, CancellationToken cancellationToken)
    {
        TableKeys.Require(runId, "run id");
        var filter = TableClient.CreateQueryFilter($"RowKey eq {runId}");
        await foreach (var row in QueryAsync(_runs, filter, $"find run {runId}", cancellationToken))
        {
            return LedgerRows.ToRun(row, _runs.Name);
        }

        return null;
    }

    public async Task<RunRecord?> TryUpdateRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        TableKeys.Require(run.PairId, "pair id");
        TableKeys.Require(run.RunId, "run id");
        var etag = await TryReplaceAsync(_runs, LedgerRows.ToRow(run), run.ETag, cancellationToken);
        return etag is null ? null : run with { ETag = etag };
    }

    public async IAsyncEnumerable<RunRecord> ListRunsAsync(string? pairId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? filter = null;
        if (pairId is not null)
        {
            TableKeys.Require(pairId, "pair id");
            filter = TableClient.CreateQueryFilter($"PartitionKey eq {pairId}");
        }

        await foreach (var row in QueryAsync(_runs, filter, "list runs", cancellationToken))
        {
            yield return LedgerRows.ToRun(row, _runs.Name);
        }
    }

    /// <summary>
    /// CAS write: with an ETag, replace only if it still matches; without one, insert only if absent.
    /// Returns the new ETag, or null on a conflict (412, or the row vanished / already exists).
    /// </summary>
    private static async Task<string?> TryReplaceAsync(TableClient table, TableEntity row, string? etag, CancellationToken cancellationToken)
    {
        var operation = $"update {table.Name}/{row.PartitionKey}/{row.RowKey}";
        try
        {
            var response = etag is null
                ? await table.AddEntityAsync(row, cancellationToken)
                : await table.UpdateEntityAsync(row, new ETag(etag), TableUpdateMode.Replace, cancellationToken);
            return response.Headers.ETag?.ToString() ?? throw new StorageException(
                StorageErrorKind.Transient, $"{operation}: the service returned no ETag");
        }
        catch (RequestFailedException e) when (e.Status is 412 or 409 || (e.Status == 404 && etag is not null))
        {
            return null;
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, operation);
        }
    }

    private static async Task<TableEntity?> GetRowAsync(TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var response = await CallAsync(
            () => table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken),
            $"read {table.Name}/{partitionKey}/{rowKey}",
            cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    private static IAsyncEnumerable<TableEntity> QueryAsync(TableClient table, string? filter, string operation, CancellationToken cancellationToken) =>
        Classified.Enumerate(
            table.QueryAsync<TableEntity>(filter, QueryPageSize, cancellationToken: cancellationToken),
            $"{operation} ({table.Name})",
            cancellationToken);

    private static async Task<T> CallAsync<T>(Func<Task<T>> call, string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, operation);
        }
    }
}
