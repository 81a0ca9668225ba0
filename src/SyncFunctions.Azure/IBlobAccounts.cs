namespace SyncFunctions.Azure;

/// <summary>
/// The storage accounts blob endpoints may be on, as the composition root knows them, each by its identity in
/// canonical forms: its blob service endpoint, or a stand-in the composition root chose for an account whose address
/// changes (the embedded Azurite's ports).
/// </summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface IBlobAccounts
{
    /// <summary>The identities of the accounts in use (empty when none is).</summary>
    IReadOnlyCollection<Uri> InUse { get; }

    /// <summary>The connection to the account in use of identity <paramref name="account"/>. No request is sent.</summary>
    /// <exception cref="InvalidOperationException">No account of that identity is in use.</exception>
    AzureStorageConnection Connect(Uri account);
}
