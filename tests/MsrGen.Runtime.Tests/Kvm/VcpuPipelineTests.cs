using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Kvm;

namespace MsrGen.Runtime.Tests.Kvm;

[TestClass]
public sealed class VcpuPipelineTests
{
    [TestMethod]
    public void GuestPmuFollowsKvmLimits()
    {
        var vcpu = TestSupport.Vcpu("sapphire-rapids", new VmRequest { GpCounters = 12, Version = 5 });
        Assert.AreEqual(8, vcpu.GuestCaps.GpCounters, "KVM caps Intel GP counters at 8");
        Assert.AreEqual(3, vcpu.GuestCaps.FixedCounters, "and fixed counters at 3");
        Assert.AreEqual(5, vcpu.GuestCaps.Version, "the guest's version is not clamped");
        var amd = TestSupport.Vcpu("zen4", new VmRequest { Version = 1, PerfctrCore = false });
        Assert.AreEqual(4, amd.GuestCaps.GpCounters);
        Assert.AreEqual(1, amd.GuestCaps.Version);
    }

    [TestMethod]
    public void UnsupportedPerfCapabilitiesFailTheVm()
    {
        var creation = Vm.Create(TestSupport.Host(), new VmRequest { PerfCapabilities = PmuCaps.PerfCapPerfMetrics });
        Assert.IsFalse(creation.Succeeded);
        Assert.AreEqual(PerfError.Einval, creation.Error);
    }

    [TestMethod]
    public void LegacyInterceptsEveryPmuMsrAndCountsExitsByReason()
    {
        var vcpu = TestSupport.Vcpu();
        Assert.IsTrue(vcpu.Intercepts(Ia32Pmc.AddressOf(0), write: false));
        Assert.IsTrue(vcpu.Intercepts(Ia32PerfGlobalCtrl.Address, write: true));
        vcpu.GuestRdmsr(Ia32PerfGlobalCtrl.Address);
        vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 0);
        vcpu.GuestRdpmc(0);
        Assert.AreEqual(1, vcpu.Metrics.ExitsBy(ExitReason.MsrRead));
        Assert.AreEqual(1, vcpu.Metrics.ExitsBy(ExitReason.MsrWrite));
        Assert.AreEqual(1, vcpu.Metrics.ExitsBy(ExitReason.Rdpmc));
        Assert.AreEqual(4, vcpu.Metrics.Entries, "the first KVM_RUN plus one re-entry per exit");
    }

    [TestMethod]
    public void UnknownMsrsFaultAndNeverThrow()
    {
        var vcpu = TestSupport.Vcpu();
        Assert.IsTrue(vcpu.GuestRdmsr(0x10).Faulted);
        Assert.IsTrue(vcpu.GuestWrmsr(0xDEAD_BEEF, 1).Faulted);
        Assert.IsTrue(vcpu.HostGetMsr(0x12345).Failed);
        Assert.AreEqual(2, vcpu.Metrics.GuestFaults);
    }

    [TestMethod]
    public void DebugctlDropsBtfAndLbrAndFaultsOnOtherBits()
    {
        var vcpu = TestSupport.Vcpu("intel-v2");
        Assert.IsFalse(vcpu.GuestWrmsr(Ia32Debugctl.Address, Ia32Debugctl.Zero.WithLbr(true).WithBtf(true).Value).Faulted);
        Assert.AreEqual(0UL, vcpu.GuestRdmsr(Ia32Debugctl.Address).Value);
        Assert.IsTrue(vcpu.GuestWrmsr(Ia32Debugctl.Address, Ia32Debugctl.Zero.WithBts(true).Value).Faulted);
    }

    [TestMethod]
    public void RdpmcAtUserLevelNeedsPceAndFaultsWithoutExit()
    {
        var vcpu = TestSupport.Vcpu();
        vcpu.Cpl = 3;
        Assert.IsTrue(vcpu.GuestRdpmc(0).Faulted);
        Assert.AreEqual(0, vcpu.Metrics.ExitsBy(ExitReason.Rdpmc));
        vcpu.Cr4Pce = true;
        Assert.IsFalse(vcpu.GuestRdpmc(0).Faulted);
    }

    [TestMethod]
    public void VmwareBackdoorPseudoPmcsWorkAtAnyPrivilege()
    {
        var host = TestSupport.Host(parameters: new KvmModuleParameters { VmwareBackdoor = true });
        var vcpu = TestSupport.Vm(host, new VmRequest()).Vcpus[0];
        vcpu.Cpl = 3;
        host.Clock.Advance(5000);
        var tsc = vcpu.GuestRdpmc(Vcpu.VmwareHostTsc);
        Assert.IsFalse(tsc.Faulted);
        Assert.IsTrue(tsc.Value >= 5000);
    }

    [TestMethod]
    public void EventFilterValidatesLikeTheIoctl()
    {
        var vm = TestSupport.Vm(TestSupport.Host(), new VmRequest());
        Assert.AreEqual(PerfError.E2big, vm.SetEventFilter(PmuFilterAction.Allow, new ulong[301], 0, false));
        Assert.AreEqual(PerfError.Einval, vm.SetEventFilter(PmuFilterAction.Allow, new ulong[] { 1UL << 40 }, 0, true));
        Assert.AreEqual(PerfError.None, vm.SetEventFilter(PmuFilterAction.Deny, new ulong[] { 0xC4 }, 0, false));
        Assert.IsFalse(vm.EventFilter!.AllowsGp(0x4300C4, CpuVendor.Intel));
        Assert.IsTrue(vm.EventFilter.AllowsGp(0x4300C0, CpuVendor.Intel));
        Assert.IsTrue(vm.EventFilter.AllowsFixed(0));
    }

    [TestMethod]
    public void MaskedFilterEntriesMatchUmaskWithMaskAndExclude()
    {
        // Include event 0x2E with any umask, then exclude umask 0x41.
        ulong include = 0x2E | (0UL << 56);
        ulong exclude = 0x2E | (0xFFUL << 56) | (0x41UL << 8) | (1UL << 55);
        Assert.AreEqual(PerfError.None, PmuEventFilter.TryCreate(PmuFilterAction.Allow, new[] { include, exclude }, 0, true, CpuVendor.Intel, out var filter));
        Assert.IsTrue(filter!.AllowsGp(0x4F2E, CpuVendor.Intel));
        Assert.IsFalse(filter.AllowsGp(0x412E, CpuVendor.Intel));
    }

    [TestMethod]
    public void MissingMediatedDesignOrHostSupportFailsTheVm()
    {
        var creation = Vm.Create(TestSupport.Host("intel-v2"), new VmRequest { Mode = VpmuMode.Mediated });
        Assert.IsFalse(creation.Succeeded, "intel-v2 without enable_mediated_pmu cannot run a mediated VM");
    }
}
