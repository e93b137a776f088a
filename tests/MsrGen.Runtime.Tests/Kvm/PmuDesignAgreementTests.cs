using MsrGen.Registers;
using MsrGen.Runtime.Kvm;

namespace MsrGen.Runtime.Tests.Kvm;

/// <summary>
/// Both vPMU designs answer PMU MSR accesses through the one common layer, so a vCPU of either
/// design gives the same verdicts (arch/x86/kvm/pmu.c kvm_pmu_set_msr(), vmx/pmu_intel.c
/// intel_pmu_set_msr(), svm/pmu.c amd_pmu_set_msr()); expected values are worked out in comments.
/// </summary>
[TestClass]
public sealed class PmuDesignAgreementTests
{
    private static readonly KvmModuleParameters Mediated = new() { EnableMediatedPmu = true };

    private static Vcpu Create(string preset, VpmuMode mode) =>
        TestSupport.Vm(TestSupport.Host(preset, Mediated), new VmRequest { Mode = mode, GpCounters = 4 }).Vcpus[0];

    [TestMethod]
    [DataRow(VpmuMode.Emulated)]
    [DataRow(VpmuMode.Mediated)]
    public void Intel_msr_verdicts_are_the_same_for_both_designs(VpmuMode mode)
    {
        var vcpu = Create("sapphire-rapids", mode);

        // GLOBAL_CTRL with 4 GP counters: bit 4 is reserved, a #GP; bits 3:0 are accepted.
        Assert.IsTrue(vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 1UL << 4).Faulted);
        Assert.IsFalse(vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 0xF).Faulted);

        // IA32_PMC0 from the guest sign-extends bit 31 (48-bit counter: 0xFFFF_8000_0000); the host's write does not.
        vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 0);
        Assert.IsFalse(vcpu.GuestWrmsr(Ia32Pmc.AddressOf(0), 0x8000_0000).Faulted);
        Assert.AreEqual(0xFFFF_8000_0000UL, vcpu.GuestRdmsr(Ia32Pmc.AddressOf(0)).Value);
        Assert.IsFalse(vcpu.HostSetMsr(Ia32Pmc.AddressOf(0), 0x8000_0000).Failed);
        Assert.AreEqual(0x8000_0000UL, vcpu.HostGetMsr(Ia32Pmc.AddressOf(0)).Value);

        // GLOBAL_OVF_CTRL's reserved bits are GLOBAL_STATUS's: bit 10 #GPs, for the host too.
        Assert.IsTrue(vcpu.GuestWrmsr(Ia32PerfGlobalOvfCtrl.Address, 1UL << 10).Faulted);
        Assert.IsTrue(vcpu.HostSetMsr(Ia32PerfGlobalOvfCtrl.Address, 1UL << 10).Failed);

        // GLOBAL_STATUS is read-only for the guest; the host restores it.
        Assert.IsTrue(vcpu.GuestWrmsr(Ia32PerfGlobalStatus.Address, 1).Faulted);
        Assert.IsFalse(vcpu.HostSetMsr(Ia32PerfGlobalStatus.Address, 0b101).Failed);
        Assert.AreEqual(0b101UL, vcpu.HostGetMsr(Ia32PerfGlobalStatus.Address).Value);
    }

    [TestMethod]
    [DataRow(VpmuMode.Emulated)]
    [DataRow(VpmuMode.Mediated)]
    public void Amd_msr_verdicts_are_the_same_for_both_designs(VpmuMode mode)
    {
        var vcpu = Create("zen4", mode);

        // PerfCntrGlobalCtl drops bits past the 4 counters: 0x1F reads back as 0xF.
        Assert.IsFalse(vcpu.GuestWrmsr(MsrAmd64PerfCntrGlobalCtl.Address, 0x1F).Faulted);
        Assert.AreEqual(0xFUL, vcpu.GuestRdmsr(MsrAmd64PerfCntrGlobalCtl.Address).Value);

        // Reserved event-select bits (HostOnly, bit 41) are dropped, not a #GP.
        const ulong sel = 0x4300C0;
        Assert.IsFalse(vcpu.GuestWrmsr(MsrF15hPerfCtl.AddressOf(1), (1UL << 41) | sel).Faulted);
        Assert.AreEqual(sel, vcpu.GuestRdmsr(MsrK7Evntsel.AddressOf(1)).Value, "K7 and F15H name the same PMC");

        // STATUS_SET sets, STATUS_CLR clears, and a guest write to the read-only status is ignored.
        Assert.IsFalse(vcpu.GuestWrmsr(MsrAmd64PerfCntrGlobalStatusSet.Address, 0b110).Faulted);
        Assert.IsFalse(vcpu.GuestWrmsr(MsrAmd64PerfCntrGlobalStatus.Address, 0).Faulted);
        Assert.IsFalse(vcpu.GuestWrmsr(MsrAmd64PerfCntrGlobalStatusClr.Address, 0b010).Faulted);
        Assert.AreEqual(0b100UL, vcpu.GuestRdmsr(MsrAmd64PerfCntrGlobalStatus.Address).Value);
    }
}
