using MsrGen.Registers;

namespace MsrGen.Showcase;

/// <summary>MSR1002: constants that set reserved bits on a 4 GP + 3 fixed counter vCPU.</summary>
[AssumePmuCaps(GpCounters = 4, FixedCounters = 3)]
public sealed class ReservedBits
{
    public void EnableAFifthCounter(IMsrBus bus) =>
        bus.Write(Ia32PerfGlobalCtrl.Zero.WithEnPmc(0, true).WithEnPmc(4, true)); // expect: MSR1002

    public void EnableEverything(IMsrBus bus) =>
        bus.Write(Ia32PerfGlobalCtrl.FromRawUnchecked(ulong.MaxValue)); // expect: MSR1002
}
