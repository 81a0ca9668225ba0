using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Identity;

namespace SyncFunctions.Graph;

/// <summary>
/// How to authenticate to Microsoft Graph (app-only): a client secret, a client certificate, or a managed
/// identity. Secrets are never shown by <see cref="ToString"/>.
/// </summary>
/// <param name="TenantId">Entra tenant id (AZURE_TENANT_ID).</param>
/// <param name="ClientId">App (client) id (AZURE_CLIENT_ID); with a managed identity, a user-assigned identity's client id.</param>
/// <param name="ClientSecret">Client secret (AZURE_CLIENT_SECRET).</param>
/// <param name="CertificatePath">PFX/PEM certificate file (AZURE_CLIENT_CERTIFICATE_PATH).</param>
/// <param name="CertificatePassword">Password of a PFX (AZURE_CLIENT_CERTIFICATE_PASSWORD).</param>
/// <param name="UseManagedIdentity">Use the managed identity (SYNCFN_GRAPH_MANAGED_IDENTITY=1).</param>
/// <param name="AuthorityHost">Entra authority for national clouds (AZURE_AUTHORITY_HOST), null for the public cloud.</param>
public sealed record GraphCredentials(
    string? TenantId = null,
    string? ClientId = null,
    string? ClientSecret = null,
    string? CertificatePath = null,
    string? CertificatePassword = null,
    bool UseManagedIdentity = false,
    Uri? AuthorityHost = null)
{
    /// <summary>No credentials: allowed only for a loopback Graph URL.</summary>
    public static GraphCredentials None { get; } = new();

    /// <summary>True when some way to get a token is configured.</summary>
    public bool IsConfigured => UseManagedIdentity || ClientSecret is not null || CertificatePath is not null;

    /// <summary>Reads the standard Azure Identity variables plus SYNCFN_GRAPH_MANAGED_IDENTITY.</summary>
    /// <param name="getVariable">Variable lookup (tests pass a dictionary); the process environment when null.</param>
    public static GraphCredentials FromEnvironment(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        string? Read(string name) => getVariable(name) is { Length: > 0 } value ? value : null;
        var managed = Read("SYNCFN_GRAPH_MANAGED_IDENTITY") is "1" or "true" or "TRUE" or "True";
        return new GraphCredentials(
            Read("AZURE_TENANT_ID"),
            Read("AZURE_CLIENT_ID"),
            Read("AZURE_CLIENT_SECRET"),
            Read("AZURE_CLIENT_CERTIFICATE_PATH"),
            Read("AZURE_CLIENT_CERTIFICATE_PASSWORD"),
            managed,
            Read("AZURE_AUTHORITY_HOST") is { } authority ? new Uri(authority) : null);
    }

    /// <summary>Returns null when the settings are usable, else what is missing (never a secret).</summary>
    public string? Validate()
    {
        if (UseManagedIdentity || !IsConfigured)
        {
            return null;
        }

        if (TenantId is null || ClientId is null)
        {
            return "AZURE_TENANT_ID and AZURE_CLIENT_ID are required with a client secret or certificate.";
        }

        return CertificatePath is not null && !File.Exists(CertificatePath)
            ? $"the certificate file '{CertificatePath}' does not exist."
            : null;
    }

    /// <summary>Builds the Azure Identity credential; throws when none is configured or the settings are incomplete.</summary>
    public TokenCredential CreateCredential()
    {
        if (!IsConfigured)
        {
            throw new InvalidOperationException("No Graph credentials are configured.");
        }

        if (Validate() is { } problem)
        {
            throw new InvalidOperationException($"Graph credentials: {problem}");
        }

        if (UseManagedIdentity)
        {
            var id = ClientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(ClientId);
            return new ManagedIdentityCredential(new ManagedIdentityCredentialOptions(id));
        }

        if (CertificatePath is not null)
        {
            var options = new ClientCertificateCredentialOptions { AuthorityHost = AuthorityHost ?? AzureAuthorityHosts.AzurePublicCloud };
            if (CertificatePassword is not null)
            {
                var certificate = X509CertificateLoader.LoadPkcs12FromFile(CertificatePath, CertificatePassword);
                return new ClientCertificateCredential(TenantId, ClientId, certificate, options);
            }

            return new ClientCertificateCredential(TenantId, ClientId, CertificatePath, options);
        }

        return new ClientSecretCredential(
            TenantId,
            ClientId,
            ClientSecret,
            new ClientSecretCredentialOptions { AuthorityHost = AuthorityHost ?? AzureAuthorityHosts.AzurePublicCloud });
    }

    /// <summary>Which kind of credential, without secrets.</summary>
    public override string ToString() => this switch
    {
        { UseManagedIdentity: true } => ClientId is null ? "managed identity (system-assigned)" : $"managed identity (client {ClientId})",
        { CertificatePath: not null } => $"certificate for client {ClientId} in tenant {TenantId}",
        { ClientSecret: not null } => $"client secret for client {ClientId} in tenant {TenantId}",
        _ => "no credentials",
    };
}
