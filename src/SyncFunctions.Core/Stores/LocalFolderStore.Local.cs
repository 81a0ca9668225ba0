using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Stores;

/// <summary>A local folder's content is on local disk (<see cref="ILocalContent"/>).</summary>
public sealed partial class LocalFolderStore : ILocalContent
{
}
