using MsrGen.Registers;

namespace MsrGen.Showcase;

/// <summary>MSR1006: registers that exist only with a capability, used without checking it.</summary>
public sealed class UnguardedGates
{
    public void PresetFullWidth(IMsrBus bus, PmuCaps caps) =>
        bus.Write(Ia32APmc.Zero, 0); // expect: MSR1006

    public void TellKvmAboutLbr(IMsrBus bus, PmuCaps caps) =>
        bus.Write(MsrKvmPvLbrCtrl.Zero.WithActive(true)); // expect: MSR1006

    public void GuardPointingTheWrongWay(IMsrBus bus, PmuCaps caps)
    {
        if (!caps.FullWidthWrites)
        {
            bus.Write(Ia32APmc.Zero, 0); // expect: MSR1006
        }
    }

    public void Guarded(IMsrBus bus, PmuCaps caps)
    {
        if (caps.FullWidthWrites)
        {
            bus.Write(Ia32APmc.Zero, 0);
        }
    }
}
