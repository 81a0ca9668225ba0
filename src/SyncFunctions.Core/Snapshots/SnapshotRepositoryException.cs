namespace SyncFunctions.Core.Snapshots;

/// <summary>
/// A repository cannot be used as asked: none where one is opened, one already where one is created, or a snapshot
/// that is not there. Not damage (that is <see cref="Format.RepositoryFormatException"/>); the message says what and where.
/// </summary>
public sealed class SnapshotRepositoryException : Exception
{
    public SnapshotRepositoryException()
        : this("the snapshot repository cannot be used")
    {
    }

    public SnapshotRepositoryException(string message)
        : base(message)
    {
    }

    public SnapshotRepositoryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
