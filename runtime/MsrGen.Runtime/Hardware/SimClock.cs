namespace MsrGen.Runtime.Hardware;

/// <summary>
/// Simulated time in cycles of one nominal clock shared by a host. Nothing reads the wall clock,
/// so a scenario gives the same output on every machine.
/// </summary>
public sealed class SimClock
{
    /// <summary>Nominal frequency used to turn cycles into nanoseconds (TSC-style pseudo-PMCs, perf's mux interval).</summary>
    public const ulong CyclesPerMicrosecond = 2000;

    public ulong Cycles { get; private set; }

    /// <summary>Time passes; the clock stops at 2^64-1 cycles rather than wrapping back to the past (<c>idle -1</c>).</summary>
    public void Advance(ulong cycles) => Cycles = cycles > ulong.MaxValue - Cycles ? ulong.MaxValue : Cycles + cycles;

    public ulong Nanoseconds => (ulong)((System.UInt128)Cycles * 1000 / CyclesPerMicrosecond);
}
