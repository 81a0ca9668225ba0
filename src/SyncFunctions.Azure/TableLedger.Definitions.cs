using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>Named pairs: rows of the Pairs table's <c>name</c> partition, next to the pair rows they point at.</summary>
public sealed partial class TableLedger
{
    public async Task<PairDefinition?> GetDefinitionAsync(string name, CancellationToken cancellationToken)
    {
        RequireName(name);
        var row = await GetRowAsync(_pairs, LedgerRows.NamePartition, name, cancellationToken);
        return row is null ? null : LedgerRows.ToDefinition(row, _pairs.Name);
    }

    public async IAsyncEnumerable<PairDefinition> ListDefinitionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {LedgerRows.NamePartition}");
        await foreach (var row in QueryAsync(_pairs, filter, "list named pairs", cancellationToken))
        {
            yield return LedgerRows.ToDefinition(row, _pairs.Name);
        }
    }

    public async Task<PairDefinition?> TryAddDefinitionAsync(PairDefinition definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        RequireName(definition.Name);
        TableKeys.Require(definition.PairId, "pair id");
        var etag = await TryReplaceAsync(_pairs, LedgerRows.ToRow(definition), null, cancellationToken);
        return etag is null ? null : definition with { ETag = etag };
    }

    public async Task<bool> RemoveDefinitionAsync(string name, CancellationToken cancellationToken)
    {
        RequireName(name);
        var operation = $"remove {_pairs.Name}/{LedgerRows.NamePartition}/{name}";
        try
        {
            // The Tables SDK answers a missing row with a 404 response rather than an exception.
            var response = await _pairs.DeleteEntityAsync(LedgerRows.NamePartition, name, ETag.All, cancellationToken);
            return response.Status != 404;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
        catch (Exception e) when (AzureErrors.ShouldClassify(e, cancellationToken))
        {
            throw AzureErrors.Classify(e, operation);
        }
    }

    private static void RequireName(string name)
    {
        if (PairNames.Validate(name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(name));
        }
    }
}
