using MsrGen.Registers;

namespace MsrGen.Showcase;

/// <summary>MSR1003: reads that always return 0.</summary>
[AssumePmuCaps]
public sealed class MeaninglessReads
{
    public ulong WhichCountersOverflowed(IMsrBus bus)
    {
        bus.Read(out Ia32PerfGlobalOvfCtrl ovf); // expect: MSR1003
        return ovf.Value;
    }
}
