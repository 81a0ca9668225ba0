namespace SyncFunctions.Orchestration.Service;

/// <summary>
/// The host's endpoint parsing (the endpoint registry of its adapters and accounts): endpoints written as on the
/// command line become the canonical forms a pair id hashes. Composition roots implement it.
/// </summary>
public interface IPairEndpoints
{
    /// <summary>
    /// The canonical source and destination; throws <see cref="ServiceInputException"/> naming the bad endpoint
    /// (unknown scheme, invalid container, folders inside each other, ...).
    /// </summary>
    (string Source, string Destination) Resolve(string source, string destination);
}
