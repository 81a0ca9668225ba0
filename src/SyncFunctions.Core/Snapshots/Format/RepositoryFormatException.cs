namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>What is wrong with a stored repository object that could not be decoded.</summary>
public enum FormatDamage
{
    /// <summary>The bytes end before the format says they do (a cut-off upload or read).</summary>
    Truncated,

    /// <summary>The bytes do not start (or, for a pack, end) with the format's magic: not this kind of object.</summary>
    BadMagic,

    /// <summary>A format version this build does not read (written by a newer one, or damaged).</summary>
    UnknownVersion,

    /// <summary>A checksum inside the object (a pack footer's) does not match what it covers.</summary>
    ChecksumMismatch,

    /// <summary>Content does not hash to the id that names it (an object, or a chunk read from a pack).</summary>
    HashMismatch,

    /// <summary>The bytes parse but break a rule of the format (a bad field, order, length or encoding).</summary>
    Malformed,

    /// <summary>The object does not hold what was asked of it (a chunk a pack does not list).</summary>
    Missing,
}

/// <summary>
/// A stored repository object that cannot be decoded. The message names the object, then the problem, e.g.
/// <c>pack 3f2a…: footer checksum mismatch</c>; <c>repo verify</c> prints it as it is.
/// </summary>
/// <remarks>Every decoder of this namespace throws only this for bad input, whatever the bytes are.</remarks>
public sealed class RepositoryFormatException : Exception
{
    /// <summary>A damaged object.</summary>
    /// <param name="objectName">What it is, e.g. <c>pack 3f2a…</c>, <c>chunk 9c1d… in pack 3f2a…</c>, <c>head 0a1b…</c>, <c>config</c>.</param>
    /// <param name="damage">The kind of damage.</param>
    /// <param name="problem">What is wrong, in a few words.</param>
    /// <param name="innerException">What the underlying parser or decompressor threw, if anything.</param>
    public RepositoryFormatException(string objectName, FormatDamage damage, string problem, Exception? innerException = null)
        : base($"{objectName}: {problem}", innerException)
    {
        ObjectName = objectName;
        Damage = damage;
        Problem = problem;
    }

    /// <summary>The object, as in the message.</summary>
    public string ObjectName { get; }

    /// <summary>The kind of damage.</summary>
    public FormatDamage Damage { get; }

    /// <summary>The problem, as in the message after the object's name.</summary>
    public string Problem { get; }
}
