using MsrGen.Registers;

namespace MsrGen.Showcase;

/// <summary>MSR1004, MSR1005 and MSR2001: numbers where a register should be named.</summary>
[AssumePmuCaps]
public sealed class RawAddresses
{
    public void StopAll(IMsrBus bus) =>
        bus.WriteMsr(0x38F, 0); // expect: MSR1004

    public void ProbeSomething(IMsrBus bus) =>
        bus.WriteMsr(0x12345, 1); // expect: MSR1005

    public void Replay(IMsrBus bus, uint address, ulong value) =>
        bus.WriteRawUnchecked(address, value); // expect: MSR2001
}
