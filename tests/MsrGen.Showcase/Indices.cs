using MsrGen.Registers;

namespace MsrGen.Showcase;

/// <summary>MSR1008: instances and field elements no CPU has.</summary>
[AssumePmuCaps]
public sealed class Indices
{
    public void ReadNinthCounter(IMsrBus bus) =>
        bus.Read(out Ia32Pmc pmc, 8); // expect: MSR1008

    public void EnableFifthFixedCounter(IMsrBus bus) =>
        bus.Write(Ia32FixedCtrCtrl.Zero.WithFixedOs(4, true)); // expect: MSR1008
}
