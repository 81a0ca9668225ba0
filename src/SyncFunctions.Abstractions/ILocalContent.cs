namespace SyncFunctions.Abstractions;

/// <summary>
/// Capability marker of a source whose reads are served from local disk: reading an object twice costs no transfer.
/// The engine may then fan a large file out over several workers and hash it in a separate pass.
/// </summary>
public interface ILocalContent
{
}
