using SyncFunctions.Core.Protocol;

namespace SyncFunctions.IntegrationTests.Infrastructure;

/// <summary>Every run owner counts as alive: in-process engine tests never take a run over.</summary>
internal sealed class AlwaysAlive : IOwnerLiveness
{
    public bool? IsAlive(string host, int pid, DateTimeOffset started) => true;
}
