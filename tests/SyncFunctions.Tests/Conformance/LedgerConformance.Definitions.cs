using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Conformance;

/// <summary>Named pairs: insert-only by name, listed in name order, removed once.</summary>
public abstract partial class LedgerConformance
{
    [Fact]
    public async Task TryAddDefinitionAsync_NameTaken_ReturnsNullAndKeepsTheFirst()
    {
        var ledger = await CreateLedgerAsync();
        var name = "n-" + NewId();

        var first = await ledger.TryAddDefinitionAsync(new PairDefinition(name, NewId(), "local:/a", "blob:x", "0 0 * * * *", Subscribe: true, OptionsJson: "{\"parallel\":4}", CreatedAt: T0), Ct);
        var second = await ledger.TryAddDefinitionAsync(new PairDefinition(name, NewId(), "local:/b", "blob:y"), Ct);

        Assert.NotNull(first?.ETag);
        Assert.Null(second);
        Assert.Equal(first, await ledger.GetDefinitionAsync(name, Ct));
    }

    [Fact]
    public async Task ListDefinitionsAsync_SeveralNames_YieldsThemInOrdinalOrder()
    {
        var ledger = await CreateLedgerAsync();
        var stem = "l-" + NewId();
        string[] names = [stem + "-b", stem + "-A", stem + "-a"];
        foreach (var name in names)
        {
            await ledger.TryAddDefinitionAsync(new PairDefinition(name, NewId(), "local:/a", "blob:x"), Ct);
        }

        var listed = new List<string>();
        await foreach (var definition in ledger.ListDefinitionsAsync(Ct))
        {
            if (definition.Name.StartsWith(stem, StringComparison.Ordinal))
            {
                listed.Add(definition.Name);
            }
        }

        Assert.Equal(names.Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task RemoveDefinitionAsync_ThenAgain_TrueThenFalseAndGone()
    {
        var ledger = await CreateLedgerAsync();
        var name = "r-" + NewId();
        await ledger.TryAddDefinitionAsync(new PairDefinition(name, NewId(), "local:/a", "blob:x"), Ct);

        Assert.True(await ledger.RemoveDefinitionAsync(name, Ct));
        Assert.False(await ledger.RemoveDefinitionAsync(name, Ct));
        Assert.Null(await ledger.GetDefinitionAsync(name, Ct));
    }
}
