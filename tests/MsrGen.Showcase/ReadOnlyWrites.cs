using MsrGen.Registers;

namespace MsrGen.Showcase;

/// <summary>MSR1001: writes the guest may not make.</summary>
[AssumePmuCaps(Features = PmuFeatures.Pdcm)]
public sealed class ReadOnlyWrites
{
    [GuestPmuContext]
    public void AdvertiseFullWidthWrites(IMsrBus bus) =>
        bus.HostWrite(Ia32PerfCapabilities.Zero.WithFwWrites(true)); // expect: MSR1001

    public void ClearOverflowTheWrongWay(IMsrBus bus) =>
        bus.WriteMsr(Ia32PerfGlobalStatus.Address, 0); // expect: MSR1001

    public void SetReadOnlyField(IMsrBus bus) =>
        bus.Write(Ia32MiscEnable.Zero.WithPebsUnavail(true)); // expect: MSR1001
}
