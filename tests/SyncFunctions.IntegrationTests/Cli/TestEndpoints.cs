using SyncFunctions.Cli.Hosting;
using SyncFunctions.Core.Endpoints;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>The CLI's endpoint registry for tests of parsing and canonical forms (no connection is opened unless a store is built).</summary>
internal static class TestEndpoints
{
    /// <summary>For parsing only: its accounts are never put in use.</summary>
    public static readonly EndpointRegistry Parsing = Over(new AzureAccounts());

    /// <summary>The registry over <paramref name="azure"/>, whose storage accounts the test puts in use.</summary>
    public static EndpointRegistry Over(AzureAccounts azure) => CliEndpoints.Create(azure, new GraphAccounts(TimeProvider.System), TimeProvider.System);
}
