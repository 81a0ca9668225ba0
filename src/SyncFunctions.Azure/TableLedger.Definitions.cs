using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>Named pairs: rows of the Pairs table's <c>name</c> partition, next to the pair rows they point at.</summary>
public sealed partial class TableLedger
{
    public async Task<PairDefinition?> GetDefinitionAsync(string name, CancellationToken cancellationToken)
    {
        RequireName(name);
        return await GetKeyedAsync(LedgerRows.NamePartition, name, LedgerRows.ToDefinition, cancellationToken);
    }

    public IAsyncEnumerable<PairDefinition> ListDefinitionsAsync(CancellationToken cancellationToken) =>
        ListKeyedAsync(LedgerRows.NamePartition, "list named pairs", LedgerRows.ToDefinition, cancellationToken);

    public async Task<PairDefinition?> TryAddDefinitionAsync(PairDefinition definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        RequireName(definition.Name);
        TableKeys.Require(definition.PairId, "pair id");
        var etag = await TryReplaceAsync(_pairs, LedgerRows.ToRow(definition), null, cancellationToken);
        return etag is null ? null : definition with { ETag = etag };
    }

    public Task<bool> RemoveDefinitionAsync(string name, CancellationToken cancellationToken)
    {
        RequireName(name);
        return RemoveRowAsync(_pairs, LedgerRows.NamePartition, name, cancellationToken);
    }

    private static void RequireName(string name)
    {
        if (PairNames.Validate(name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(name));
        }
    }
}
