using MsrGen.Registers;
using MsrGen.Runtime.Lbr;

namespace MsrGen.Runtime.Tests.Lbr;

[TestClass]
public sealed class KvmAccessRuleTests
{
    private static readonly PmuCaps Host = LbrWorld.SkylakeServer;

    private static VcpuLbr Vcpu(PmuCaps guest, LbrVmOptions? options = null, PmuCaps? host = null) =>
        new(new LbrStack(host ?? Host), guest, options ?? new LbrVmOptions());

    [TestMethod]
    public void StackMsrsExistOnlyWhileLbrIsEnabledForTheVcpu()
    {
        var enabled = Vcpu(Host);
        Assert.IsTrue(enabled.LbrEnabled);
        Assert.IsFalse(enabled.GuestRdmsr(MsrLbrTos.Address).Faulted);
        Assert.IsFalse(enabled.GuestRdmsr(MsrLbrNhmFrom.AddressOf(31)).Faulted);
        Assert.IsFalse(enabled.GuestRdmsr(MsrLbrInfo.AddressOf(31)).Faulted);

        var noLbr = Vcpu(Host with { LbrDepth = 0 });
        Assert.IsFalse(noLbr.LbrEnabled);
        foreach (uint address in new[] { MsrLbrSelect.Address, MsrLbrTos.Address, MsrLbrNhmFrom.AddressOf(0), MsrLbrNhmTo.AddressOf(0), MsrLbrInfo.AddressOf(0) })
        {
            var read = noLbr.GuestRdmsr(address);
            Assert.IsTrue(read.Handled);
            Assert.IsTrue(read.Faulted, $"0x{address:X} must #GP without guest LBR");
            Assert.IsTrue(noLbr.GuestWrmsr(address, 0).Faulted);
        }
    }

    [TestMethod]
    public void EntriesBeyondTheDepthFault()
    {
        var broadwell = LbrWorld.Broadwell;
        var vcpu = Vcpu(broadwell, host: broadwell);
        Assert.IsFalse(vcpu.GuestRdmsr(MsrLbrNhmFrom.AddressOf(15)).Faulted);
        Assert.IsTrue(vcpu.GuestRdmsr(MsrLbrNhmFrom.AddressOf(16)).Faulted);
        Assert.IsTrue(vcpu.GuestRdmsr(MsrLbrInfo.AddressOf(0)).Faulted, "format 4 has no LBR_INFO");
    }

    [TestMethod]
    public void TheMediatedVpmuOffersNoLbr()
    {
        var vcpu = Vcpu(Host, new LbrVmOptions { Mediated = true });
        Assert.IsFalse(vcpu.LbrEnabled);
        Assert.IsTrue(vcpu.GuestRdmsr(MsrLbrTos.Address).Faulted);
        var write = vcpu.GuestWrmsr(Ia32Debugctl.Address, Ia32Debugctl.Zero.WithLbr(true).Value);
        Assert.IsFalse(write.Faulted, "an unsupported LBR bit is dropped, not faulted");
        Assert.IsFalse(vcpu.GuestLbrBit);
    }

    [TestMethod]
    public void AHostWithArchLbrGivesTheGuestNoLegacyLbr()
    {
        var archHost = Host with { Features = Host.Features | PmuFeatures.ArchLbr };
        var vcpu = Vcpu(Host, host: archHost);
        Assert.IsFalse(vcpu.LbrEnabled);
        Assert.IsTrue(vcpu.GuestRdmsr(MsrLbrSelect.Address).Faulted);
    }

    [TestMethod]
    public void ArchLbrMsrsAlwaysFault()
    {
        var guest = Host with { Features = Host.Features | PmuFeatures.ArchLbr };
        var vcpu = Vcpu(guest);
        foreach (uint address in new[] { Ia32LbrCtl.Address, Ia32LbrDepth.Address, Ia32LbrFromIp.AddressOf(0), Ia32LbrToIp.AddressOf(3), Ia32LbrInfo.AddressOf(7) })
        {
            Assert.IsTrue(vcpu.GuestRdmsr(address).Faulted, $"0x{address:X}");
            Assert.IsTrue(vcpu.GuestWrmsr(address, 0).Faulted, $"0x{address:X}");
        }
    }

    [TestMethod]
    public void DebugctlDropsBtfAndUnsupportedLbrButFaultsOnOtherUnsupportedBits()
    {
        var vcpu = Vcpu(Host);
        var withBtf = Ia32Debugctl.Zero.WithLbr(true).WithBtf(true);
        Assert.IsFalse(vcpu.GuestWrmsr(Ia32Debugctl.Address, withBtf.Value).Faulted);
        Assert.AreEqual(Ia32Debugctl.Zero.WithLbr(true).Value, vcpu.GuestRdmsr(Ia32Debugctl.Address).Value);

        Assert.IsTrue(vcpu.GuestWrmsr(Ia32Debugctl.Address, Ia32Debugctl.Zero.WithBts(true).Value).Faulted);
        Assert.IsTrue(vcpu.GuestWrmsr(Ia32Debugctl.Address, Ia32Debugctl.Zero.WithFreezeInSmm(true).Value).Faulted);

        var noLbr = Vcpu(Host with { LbrDepth = 0 });
        Assert.IsTrue(noLbr.GuestWrmsr(Ia32Debugctl.Address, Ia32Debugctl.Zero.WithFreezeLbrsOnPmi(true).Value).Faulted,
            "FREEZE_LBRS_ON_PMI is not droppable: without LBR it faults");
        Assert.IsFalse(noLbr.GuestWrmsr(Ia32Debugctl.Address, Ia32Debugctl.Zero.WithLbr(true).Value).Faulted);
        Assert.AreEqual(0UL, noLbr.GuestRdmsr(Ia32Debugctl.Address).Value);
        Assert.AreEqual(3, noLbr.Metrics.DebugctlExits);
        Assert.AreEqual(1, noLbr.Metrics.GeneralProtectionFaults);
    }

    [TestMethod]
    public void RtmDebugNeedsRtmInHostAndGuest()
    {
        var rtmDebug = Ia32Debugctl.Zero.WithRtmDebug(true).Value;
        var guestRtm = Host with { Features = Host.Features | PmuFeatures.Rtm };
        Assert.IsTrue(Vcpu(guestRtm).GuestWrmsr(Ia32Debugctl.Address, rtmDebug).Faulted, "host without RTM");
        Assert.IsFalse(Vcpu(guestRtm, host: guestRtm).GuestWrmsr(Ia32Debugctl.Address, rtmDebug).Faulted);
        Assert.IsTrue(Vcpu(Host, host: guestRtm).GuestWrmsr(Ia32Debugctl.Address, rtmDebug).Faulted, "guest without RTM");
    }

    [TestMethod]
    public void PvLbrCtrlExistsOnlyInThe2018ProfileWithTheCpuidFeature()
    {
        var pvOptions = new LbrVmOptions { Strategy = LbrStrategyKind.Pv, Profile = MsrProfile.PvLbr2018 };
        var offered = Vcpu(Host with { Features = Host.Features | PmuFeatures.PvLbrCtrl }, pvOptions);
        var active = MsrKvmPvLbrCtrl.Zero.WithActive(true).Value;
        Assert.IsFalse(offered.GuestWrmsr(MsrKvmPvLbrCtrl.Address, active).Faulted);
        Assert.AreEqual(active, offered.GuestRdmsr(MsrKvmPvLbrCtrl.Address).Value);
        Assert.IsTrue(offered.GuestWrmsr(MsrKvmPvLbrCtrl.Address, active << 1).Faulted, "reserved bits fault");

        var withheld = Vcpu(Host, pvOptions);
        Assert.IsTrue(withheld.GuestWrmsr(MsrKvmPvLbrCtrl.Address, active).Faulted);
        Assert.IsTrue(withheld.GuestRdmsr(MsrKvmPvLbrCtrl.Address).Faulted);

        var upstream = Vcpu(Host with { Features = Host.Features | PmuFeatures.PvLbrCtrl });
        Assert.IsFalse(upstream.GuestWrmsr(MsrKvmPollControl.Address, 1).Handled, "upstream 0x4B564D05 is MSR_KVM_POLL_CONTROL");
    }

    [TestMethod]
    public void UnrelatedMsrsAreLeftToTheVcpu()
    {
        var vcpu = Vcpu(Host);
        Assert.IsFalse(vcpu.GuestRdmsr(Ia32PerfGlobalCtrl.Address).Handled);
        Assert.IsFalse(vcpu.GuestWrmsr(0x12345678, 1).Handled);
    }
}
