namespace SyncFunctions.GraphDev;

/// <summary>The kinds of fault the server can inject.</summary>
public enum FaultKind
{
    /// <summary>429 activityLimitReached with Retry-After.</summary>
    Throttle,

    /// <summary>503 serviceNotAvailable with Retry-After.</summary>
    Unavailable,

    /// <summary>Answer normally, but only after a delay (on the server's TimeProvider).</summary>
    Delay,

    /// <summary>Abort the connection without a response.</summary>
    DropConnection,
}

/// <summary>
/// A fault for the next <see cref="Count"/> requests matching <see cref="Match"/> (all requests when null).
/// </summary>
public sealed record FaultRule(FaultKind Kind, int Count, Func<GraphRequestInfo, bool>? Match = null)
{
    /// <summary>Retry-After sent with Throttle/Unavailable (whole seconds; 0 omits the header for Unavailable).</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Delay of a <see cref="FaultKind.Delay"/> fault.</summary>
    public TimeSpan Delay { get; init; }
}

/// <summary>
/// Per-test switchable fault injection: rules are consumed in the order added; each matching request
/// takes one unit of the first rule that matches it. Thread-safe.
/// </summary>
public sealed class FaultInjector
{
    private readonly object _gate = new();
    private readonly List<(FaultRule Rule, int Left)> _rules = [];
    private int _injected;

    /// <summary>Faults injected so far.</summary>
    public int Injected => Volatile.Read(ref _injected);

    /// <summary>Fault units not yet consumed.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _rules.Sum(r => r.Left);
            }
        }
    }

    /// <summary>Adds a rule.</summary>
    public void Add(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (_gate)
        {
            _rules.Add((rule, rule.Count));
        }
    }

    /// <summary>The next <paramref name="count"/> matching requests get 429 with Retry-After.</summary>
    public void Throttle(int count, TimeSpan retryAfter, Func<GraphRequestInfo, bool>? match = null) =>
        Add(new FaultRule(FaultKind.Throttle, count, match) { RetryAfter = retryAfter });

    /// <summary>The next <paramref name="count"/> matching requests get 503 (with Retry-After when non-zero).</summary>
    public void Unavailable(int count, TimeSpan retryAfter, Func<GraphRequestInfo, bool>? match = null) =>
        Add(new FaultRule(FaultKind.Unavailable, count, match) { RetryAfter = retryAfter });

    /// <summary>The next <paramref name="count"/> matching requests are answered after <paramref name="delay"/>.</summary>
    public void Delay(int count, TimeSpan delay, Func<GraphRequestInfo, bool>? match = null) =>
        Add(new FaultRule(FaultKind.Delay, count, match) { Delay = delay });

    /// <summary>The next <paramref name="count"/> matching requests lose their connection.</summary>
    public void Drop(int count, Func<GraphRequestInfo, bool>? match = null) =>
        Add(new FaultRule(FaultKind.DropConnection, count, match));

    /// <summary>Removes every rule.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    /// <summary>Takes one unit of the first rule matching <paramref name="request"/>, or null.</summary>
    internal FaultRule? Take(GraphRequestInfo request)
    {
        lock (_gate)
        {
            for (var i = 0; i < _rules.Count; i++)
            {
                var (rule, left) = _rules[i];
                if (rule.Match is not null && !rule.Match(request))
                {
                    continue;
                }

                if (left <= 1)
                {
                    _rules.RemoveAt(i);
                }
                else
                {
                    _rules[i] = (rule, left - 1);
                }

                _injected++;
                return rule;
            }

            return null;
        }
    }
}
