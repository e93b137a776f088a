using MsrGen.Registers;

namespace MsrGen.Showcase;

/// <summary>MSR1007: host PMU registers touched while the guest's PMU state is on the CPU.</summary>
[AssumePmuCaps]
public sealed class GuestRegions
{
    [LoadsGuestPmuState]
    public void LoadGuestPmu() { }

    [PutsGuestPmuState]
    public void PutGuestPmu() { }

    public void EnterGuest(IMsrBus bus)
    {
        bus.Write(Ia32PerfGlobalCtrl.Zero);
        LoadGuestPmu();
        bus.Read(out Ia32PerfGlobalStatus status); // expect: MSR1007
        PutGuestPmu();
        bus.Write(Ia32PerfGlobalCtrl.Zero);
    }

    [GuestPmuContext]
    public void OnGuestPmi(IMsrBus bus) =>
        bus.Write(Ia32Pmc.Zero, 0); // expect: MSR1007
}
