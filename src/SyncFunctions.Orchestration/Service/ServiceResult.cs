namespace SyncFunctions.Orchestration.Service;

/// <summary>How a service operation ended, in terms every host maps the same way (HTTP: 200, 201, 202, 400, 404, 409, 503).</summary>
public enum ServiceOutcome
{
    Ok,
    Created,
    Accepted,
    Invalid,
    NotFound,
    Conflict,

    /// <summary>A store the operation needs could not be used (HTTP 503).</summary>
    Unavailable,
}

/// <summary>The result of a service operation: a value, or a problem a user can act on.</summary>
/// <typeparam name="T">The value on success (and, for some conflicts, what is in the way).</typeparam>
/// <param name="Outcome">How it ended.</param>
/// <param name="Value">The value (null for most problems).</param>
/// <param name="Problem">What is wrong, in words for the user (null on success).</param>
public sealed record ServiceResult<T>(ServiceOutcome Outcome, T? Value, string? Problem = null)
{
    public bool Succeeded => Outcome is ServiceOutcome.Ok or ServiceOutcome.Created or ServiceOutcome.Accepted;

    public static ServiceResult<T> Ok(T value) => new(ServiceOutcome.Ok, value);

    public static ServiceResult<T> Invalid(string problem) => new(ServiceOutcome.Invalid, default, problem);

    public static ServiceResult<T> NotFound(string problem) => new(ServiceOutcome.NotFound, default, problem);

    public static ServiceResult<T> Conflict(string problem, T? inTheWay = default) => new(ServiceOutcome.Conflict, inTheWay, problem);
}

/// <summary>Bad input found by a host's endpoint parsing or by the service; carries the message for the user.</summary>
public sealed class ServiceInputException(string message) : Exception(message);
