using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.Traces;

/// <summary>How trace time becomes guest execution where the trace does not say (documented defaults, all overridable).</summary>
public sealed record TraceRates
{
    /// <summary>Guest cycles per nanosecond of trace time: 2 GHz, the model's nominal clock (<see cref="SimClock.CyclesPerMicrosecond"/>).</summary>
    public double CyclesPerNanosecond { get; init; } = SimClock.CyclesPerMicrosecond / 1000.0;

    /// <summary>Instructions per cycle until a counter reveals the real rate.</summary>
    public double InstructionsPerCycle { get; init; } = 1.0;

    /// <summary>Cycles per tick of a raw trace clock (trace_clock x86-tsc counts cycles).</summary>
    public double CyclesPerRawTick { get; init; } = 1.0;

    /// <summary>
    /// Longest stretch of guest execution one gap may become; the rest of a longer gap is halted time
    /// (a CPU that traced nothing for that long was idle or not traced).
    /// </summary>
    public ulong MaxRunNanoseconds { get; init; } = 60_000_000_000;
}

/// <summary>
/// One traced access with the guest execution that precedes it on its vCPU. When the access
/// reads or writes a counter, <see cref="Counter"/> names it (-1 otherwise; <see cref="FixedCounter"/>
/// for fixed counters); when the read revealed what the counter counted since its value was last
/// known over an interval replayed at a learnt rate, <see cref="Revealed"/> is set and
/// <see cref="TraceDelta"/> is that count.
/// </summary>
public readonly record struct TraceStep(
    int Vcpu, ulong RunCycles, ulong RunInstructions, ulong IdleCycles, TraceAccess Access,
    int Counter = -1, bool FixedCounter = false, bool Revealed = false, ulong TraceDelta = 0);
