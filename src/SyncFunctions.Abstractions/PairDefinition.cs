namespace SyncFunctions.Abstractions;

/// <summary>
/// A named pair: what <c>syncfn pairs add</c> and <c>POST /api/pairs</c> store, and what schedules, webhooks and
/// <c>syncfn sync NAME</c> run. The endpoints are the canonical forms the pair id hashes.
/// </summary>
/// <param name="Name">The pair's name (<see cref="PairNames.Validate"/>).</param>
/// <param name="PairId">The pair id of the two canonical endpoints.</param>
/// <param name="Source">The canonical source endpoint.</param>
/// <param name="Destination">The canonical destination endpoint.</param>
/// <param name="Schedule">A six-field cron expression (UTC) of reconciliation runs; null: none.</param>
/// <param name="Subscribe">Ask the source for change notifications (Graph subscriptions) and run on them.</param>
/// <param name="OptionsJson">The runs' options in the run row's stored format.</param>
/// <param name="CreatedAt">When it was added.</param>
/// <param name="ETag">The stored row's ETag.</param>
public sealed record PairDefinition(
    string Name,
    string PairId,
    string Source,
    string Destination,
    string? Schedule = null,
    bool Subscribe = false,
    string OptionsJson = "{}",
    DateTimeOffset? CreatedAt = null,
    string? ETag = null);

/// <summary>Named pairs in the ledger account, shared by the CLI and every service host.</summary>
public interface IPairCatalog
{
    /// <summary>The pair named <paramref name="name"/>, or null.</summary>
    Task<PairDefinition?> GetDefinitionAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every named pair, ordered by name (ordinal).</summary>
    IAsyncEnumerable<PairDefinition> ListDefinitionsAsync(CancellationToken cancellationToken);

    /// <summary>Adds a pair if no pair has its name; returns it with its ETag, or null when the name is taken.</summary>
    Task<PairDefinition?> TryAddDefinitionAsync(PairDefinition definition, CancellationToken cancellationToken);

    /// <summary>Removes the pair named <paramref name="name"/>; false when there was none.</summary>
    Task<bool> RemoveDefinitionAsync(string name, CancellationToken cancellationToken);
}

/// <summary>The rules of pair names (also table row keys and URL segments).</summary>
public static class PairNames
{
    /// <summary>The longest name.</summary>
    public const int MaxLength = 63;

    /// <summary>Null when <paramref name="name"/> is a valid pair name, else what is wrong with it.</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "a pair name is empty";
        }

        if (name.Length > MaxLength)
        {
            return $"pair name '{name[..20]}...' is longer than {MaxLength} characters";
        }

        if (!char.IsAsciiLetterOrDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            return $"pair name '{Printable(name)}' may hold only ASCII letters, digits, '-', '_' and '.', and must start with a letter or digit";
        }

        return null;
    }

    private static string Printable(string name) =>
        new(name.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
