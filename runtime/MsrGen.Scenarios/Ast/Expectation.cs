namespace MsrGen.Scenarios;

/// <summary>The <c>=&gt; RESULT</c> part of an action.</summary>
public abstract record Expectation(SourceSpan Span);

/// <summary><c>=&gt; 42</c>: the value read must equal <see cref="Value"/>.</summary>
public sealed record ValueExpectation(SourceSpan Span, ulong Value) : Expectation(Span);

/// <summary><c>=&gt; &gt; 0</c>: the value read compared with <see cref="Value"/>; a faulting read fails.</summary>
public sealed record ComparisonExpectation(SourceSpan Span, ComparisonOperator Operator, ulong Value) : Expectation(Span);

/// <summary><c>=&gt; ok</c>: no fault, no host-side failure.</summary>
public sealed record OkExpectation(SourceSpan Span) : Expectation(Span);

/// <summary><c>=&gt; #GP</c>: the guest took a general-protection fault.</summary>
public sealed record GeneralProtectionExpectation(SourceSpan Span) : Expectation(Span);

/// <summary><c>=&gt; error</c>: a host-side call failed (any errno).</summary>
public sealed record HostErrorExpectation(SourceSpan Span) : Expectation(Span);

/// <summary><c>=&gt; EBUSY</c> and friends: a host-side call failed with this errno.</summary>
public sealed record ErrnoExpectation(SourceSpan Span, Errno Errno) : Expectation(Span);

/// <summary><c>=&gt; clean</c> / <c>=&gt; polluted</c>: what a guest LBR read must find.</summary>
public sealed record LbrContentExpectation(SourceSpan Span, LbrContent Content) : Expectation(Span);

public enum Errno
{
    Ebusy,
    Eopnotsupp,
    Einval,
    E2big,
}

public enum LbrContent
{
    /// <summary>Only the guest's own branches.</summary>
    Clean,

    /// <summary>Branches that the guest did not take (host or other guest tasks) are visible.</summary>
    Polluted,
}

public static class ErrnoNames
{
    public static string ToName(this Errno errno) => errno switch
    {
        Errno.Ebusy => "EBUSY",
        Errno.Eopnotsupp => "EOPNOTSUPP",
        Errno.Einval => "EINVAL",
        _ => "E2BIG",
    };
}
