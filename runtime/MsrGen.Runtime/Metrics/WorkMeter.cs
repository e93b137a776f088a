using System;
using System.Globalization;

namespace MsrGen.Runtime.Metrics;

/// <summary>
/// Bounds the per-event work of one scenario file. Most large counts are computed in closed form
/// (a counter that wraps many times between two observations is one addition), but some work is
/// real for every event: each PMI or timer stop in a stretch of execution, each VM-exit of
/// <c>guest exits</c>, each instruction KVM emulates, each LBR call-stack record. Those places
/// charge the meter of the current thread; past the limit the charge throws
/// <see cref="WorkLimitExceededException"/>, which the scenario runner reports as a located error.
/// Without an installed meter (library use, benchmarks) nothing is limited.
/// </summary>
public sealed class WorkMeter
{
    /// <summary>The default limit of the scenario runner (docs/scenarios.md, "Limits").</summary>
    public const ulong DefaultLimit = 2_000_000;

    [ThreadStatic]
    private static WorkMeter? current;

    public WorkMeter(ulong limit) => Limit = limit;

    /// <summary>The meter installed on this thread, if any.</summary>
    public static WorkMeter? Current => current;

    public ulong Limit { get; }

    /// <summary>Work charged so far.</summary>
    public ulong Used { get; private set; }

    /// <summary>Makes <paramref name="meter"/> the current thread's meter until the scope is disposed.</summary>
    public static Scope Install(WorkMeter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        var previous = current;
        current = meter;
        return new Scope(previous);
    }

    /// <summary>Charges <paramref name="units"/> steps of <paramref name="what"/> to the current meter, if any.</summary>
    public static void Charge(ulong units, string what)
    {
        if (current is { } meter)
        {
            meter.Add(units, what);
        }
    }

    private void Add(ulong units, string what)
    {
        if (units > Limit - Used)
        {
            throw new WorkLimitExceededException(what, units, Used, Limit);
        }

        Used += units;
    }

    /// <summary>Restores the previous meter.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly WorkMeter? _previous;

        internal Scope(WorkMeter? previous) => _previous = previous;

        public void Dispose() => current = _previous;
    }
}

/// <summary>A statement would do more per-event work than the file's limit allows.</summary>
public sealed class WorkLimitExceededException : Exception
{
    public WorkLimitExceededException()
    {
    }

    public WorkLimitExceededException(string message) : base(message)
    {
    }

    public WorkLimitExceededException(string message, Exception inner) : base(message, inner)
    {
    }

    internal WorkLimitExceededException(string what, ulong units, ulong used, ulong limit)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"this statement needs {Describe(units)} step(s) of per-event work ({what}) but only {limit - used} of the file's limit of {limit} remain; raise the limit with 'msrgen run --work-limit N'"))
    {
    }

    private static string Describe(ulong units) => units == ulong.MaxValue ? "2^64-1 or more" : units.ToString(CultureInfo.InvariantCulture);
}
