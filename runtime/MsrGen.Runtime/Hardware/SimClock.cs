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

    public void Advance(ulong cycles) => Cycles += cycles;

    public ulong Nanoseconds => Cycles * 1000 / CyclesPerMicrosecond;
}
