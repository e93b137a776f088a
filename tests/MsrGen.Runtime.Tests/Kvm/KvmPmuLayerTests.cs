using MsrGen.Registers;
using MsrGen.Runtime.Kvm.Pmu;

namespace MsrGen.Runtime.Tests.Kvm;

/// <summary>
/// The common PMU layer and the vendor ops over a plain register-file design, so that only the
/// rules are under test: arch/x86/kvm/pmu.c kvm_pmu_set_msr() / kvm_pmu_get_msr() /
/// kvm_pmu_is_valid_msr(), vmx/pmu_intel.c intel_pmu_set_msr() / intel_rdpmc_ecx_to_pmc(),
/// svm/pmu.c amd_pmu_set_msr() / amd_is_valid_msr(). Expected values are worked out from those
/// functions in the comments.
/// </summary>
[TestClass]
public sealed class KvmPmuLayerTests
{
    // Intel v5: 4 GP and 3 fixed counters, 48 bits wide, full-width writes.
    private static readonly PmuCaps IntelCaps = new(CpuVendor.Intel, 5, 4, 3, 48, 48, PmuCaps.PerfCapFullWidthWrites, 0, PmuFeatures.Pdcm);

    // AMD PerfMonV2: 6 GP counters, 48 bits wide.
    private static readonly PmuCaps AmdCaps = new(CpuVendor.Amd, 2, 6, 0, 48, 0, 0, 0, PmuFeatures.PerfctrCore | PmuFeatures.PerfmonV2);

    private const ulong Width48 = (1UL << 48) - 1;

    private static (KvmPmu Pmu, RegisterFile Design) Create(PmuCaps caps)
    {
        var design = new RegisterFile(caps);
        return (new KvmPmu(design), design);
    }

    [TestMethod]
    public void Guest_write_to_ia32_pmc_sign_extends_bit_31_and_the_host_write_does_not()
    {
        var (pmu, design) = Create(IntelCaps);

        // (s64)(s32)0x8000_0000 = 0xFFFF_FFFF_8000_0000, cut to 48 bits = 0xFFFF_8000_0000.
        Assert.AreEqual(MsrAccessResult.Ok, pmu.SetMsr(new MsrRef(MsrId.Ia32Pmc, 1), 0x8000_0000, hostInitiated: false));
        Assert.AreEqual(0xFFFF_8000_0000UL, design.Counters[1]);

        Assert.AreEqual(MsrAccessResult.Ok, pmu.SetMsr(new MsrRef(MsrId.Ia32Pmc, 1), 0x8000_0000, hostInitiated: true));
        Assert.AreEqual(0x8000_0000UL, design.Counters[1]);
    }

    [TestMethod]
    public void Full_width_write_takes_48_bits_and_faults_above_them()
    {
        var (pmu, design) = Create(IntelCaps);
        var apmc = new MsrRef(MsrId.Ia32APmc, 2);

        Assert.AreEqual(MsrAccessResult.Ok, pmu.SetMsr(apmc, 0x8000_0000, hostInitiated: false));
        Assert.AreEqual(0x8000_0000UL, design.Counters[2], "no sign extension through IA32_A_PMCx");

        Assert.AreEqual(MsrAccessResult.GeneralProtection, pmu.SetMsr(apmc, 1UL << 48, hostInitiated: false));
        Assert.AreEqual(0x8000_0000UL, design.Counters[2]);
    }

    [TestMethod]
    public void Counter_reads_are_cut_to_the_counter_width()
    {
        var (pmu, design) = Create(IntelCaps);
        design.Counters[0] = ulong.MaxValue;
        Assert.AreEqual(MsrAccessResult.Ok, pmu.GetMsr(new MsrRef(MsrId.Ia32Pmc, 0), out ulong value));
        Assert.AreEqual(Width48, value);
    }

    [TestMethod]
    public void Intel_global_ctrl_faults_on_a_reserved_bit_and_amd_drops_it()
    {
        // Intel global_ctrl_rsvd = ~(GENMASK(3, 0) | GENMASK(34, 32)).
        var (intel, intelDesign) = Create(IntelCaps);
        var ctrl = new MsrRef(MsrId.Ia32PerfGlobalCtrl, 0);
        Assert.AreEqual(MsrAccessResult.GeneralProtection, intel.SetMsr(ctrl, 1UL << 4, hostInitiated: false));
        Assert.AreEqual(0, intelDesign.GlobalCtrlWrites);
        Assert.AreEqual(MsrAccessResult.Ok, intel.SetMsr(ctrl, 0x7_0000_000FUL, hostInitiated: false));
        Assert.AreEqual(0x7_0000_000FUL, intelDesign.GlobalCtrl);

        // AMD global_ctrl_rsvd = ~GENMASK(5, 0): bit 6 and bit 32 are dropped, the write succeeds.
        var (amd, amdDesign) = Create(AmdCaps);
        Assert.AreEqual(MsrAccessResult.Ok, amd.SetMsr(new MsrRef(MsrId.MsrAmd64PerfCntrGlobalCtl, 0), 0x1_0000_007FUL, hostInitiated: false));
        Assert.AreEqual(0x3FUL, amdDesign.GlobalCtrl);
    }

    [TestMethod]
    public void Global_status_is_read_only_for_the_guest_faulting_on_intel_ignored_on_amd()
    {
        var (intel, intelDesign) = Create(IntelCaps);
        var status = new MsrRef(MsrId.Ia32PerfGlobalStatus, 0);
        Assert.AreEqual(MsrAccessResult.GeneralProtection, intel.SetMsr(status, 1, hostInitiated: false));
        Assert.AreEqual(MsrAccessResult.Ok, intel.SetMsr(status, 0b101, hostInitiated: true));
        Assert.AreEqual(0b101UL, intelDesign.GlobalStatus);
        Assert.AreEqual(MsrAccessResult.GeneralProtection, intel.SetMsr(status, 1UL << 10, hostInitiated: true), "bit 10 is reserved with 4 GP counters");

        var (amd, amdDesign) = Create(AmdCaps);
        Assert.AreEqual(MsrAccessResult.Ok, amd.SetMsr(new MsrRef(MsrId.MsrAmd64PerfCntrGlobalStatus, 0), 1, hostInitiated: false));
        Assert.AreEqual(0UL, amdDesign.GlobalStatus);
    }

    [TestMethod]
    public void Ovf_ctrl_checks_reserved_bits_even_for_the_host_and_clears_only_for_the_guest()
    {
        var (pmu, design) = Create(IntelCaps);
        design.GlobalStatus = 0b11;
        var ovf = new MsrRef(MsrId.Ia32PerfGlobalOvfCtrl, 0);

        Assert.AreEqual(MsrAccessResult.GeneralProtection, pmu.SetMsr(ovf, 1UL << 10, hostInitiated: true));
        Assert.AreEqual(MsrAccessResult.Ok, pmu.SetMsr(ovf, 0b01, hostInitiated: true));
        Assert.AreEqual(0b11UL, design.GlobalStatus, "a host write of GLOBAL_OVF_CTRL clears nothing");
        Assert.AreEqual(MsrAccessResult.Ok, pmu.SetMsr(ovf, 0b01, hostInitiated: false));
        Assert.AreEqual(0b10UL, design.GlobalStatus);
        Assert.AreEqual(MsrAccessResult.Ok, pmu.GetMsr(ovf, out ulong read));
        Assert.AreEqual(0UL, read);
    }

    [TestMethod]
    public void Amd_status_set_and_clear_apply_to_guest_writes_without_reserved_bits()
    {
        var (pmu, design) = Create(AmdCaps);

        // global_status_rsvd = ~GENMASK(5, 0): bit 40 is not set.
        Assert.AreEqual(MsrAccessResult.Ok, pmu.SetMsr(new MsrRef(MsrId.MsrAmd64PerfCntrGlobalStatusSet, 0), (1UL << 40) | 0b110, hostInitiated: false));
        Assert.AreEqual(0b110UL, design.GlobalStatus);
        Assert.AreEqual(MsrAccessResult.Ok, pmu.SetMsr(new MsrRef(MsrId.MsrAmd64PerfCntrGlobalStatusClr, 0), 0b010, hostInitiated: false));
        Assert.AreEqual(0b100UL, design.GlobalStatus);
        Assert.AreEqual(MsrAccessResult.Ok, pmu.SetMsr(new MsrRef(MsrId.MsrAmd64PerfCntrGlobalStatusClr, 0), 0b100, hostInitiated: true));
        Assert.AreEqual(0b100UL, design.GlobalStatus, "a host write of STATUS_CLR clears nothing");
    }

    [TestMethod]
    public void Event_select_reserved_bits_fault_on_intel_and_are_dropped_on_amd()
    {
        // Intel reserved_bits include bit 21 (not AnyThread-capable here) and 32+ without TSX.
        var (intel, intelDesign) = Create(IntelCaps);
        Assert.AreEqual(MsrAccessResult.GeneralProtection, intel.SetMsr(new MsrRef(MsrId.Ia32Perfevtsel, 0), 0x4300C0UL | (1UL << 32), false));
        Assert.AreEqual(0UL, intelDesign.EventSelects[0]);
        Assert.AreEqual(MsrAccessResult.Ok, intel.SetMsr(new MsrRef(MsrId.Ia32Perfevtsel, 0), 0x4300C0UL, false));
        Assert.AreEqual(0x4300C0UL, intelDesign.EventSelects[0]);

        // AMD reserved_bits = 0xfffffff000280000: HostOnly (bit 41) is dropped, EN|USR|OS|event 0xC0 stay.
        var (amd, amdDesign) = Create(AmdCaps);
        Assert.AreEqual(MsrAccessResult.Ok, amd.SetMsr(new MsrRef(MsrId.MsrF15hPerfCtl, 3), (1UL << 41) | 0x4300C0UL, false));
        Assert.AreEqual(0x4300C0UL, amdDesign.EventSelects[3]);
    }

    [TestMethod]
    public void K7_and_f15h_msrs_name_the_same_amd_counter_and_intel_msrs_are_not_amd_registers()
    {
        Assert.AreEqual(new PmuMsr(PmuMsrKind.GpCounter, 2), PmuRegisterMap.Of(new MsrRef(MsrId.MsrK7Perfctr, 2), CpuVendor.Amd));
        Assert.AreEqual(new PmuMsr(PmuMsrKind.GpCounter, 2), PmuRegisterMap.Of(new MsrRef(MsrId.MsrF15hPerfCtr, 2), CpuVendor.Amd));
        Assert.AreEqual(PmuMsrKind.None, PmuRegisterMap.Of(new MsrRef(MsrId.Ia32Pmc, 0), CpuVendor.Amd).Kind);
        Assert.AreEqual(PmuMsrKind.None, PmuRegisterMap.Of(new MsrRef(MsrId.MsrAmd64PerfCntrGlobalCtl, 0), CpuVendor.Intel).Kind);
        Assert.AreEqual(PmuMsrKind.None, PmuRegisterMap.Of(new MsrRef(MsrId.Ia32PerfGlobalStatusSet, 0), CpuVendor.Intel).Kind);

        var (pmu, design) = Create(AmdCaps);
        Assert.AreEqual(MsrAccessResult.Ok, pmu.SetMsr(new MsrRef(MsrId.MsrK7Perfctr, 2), 77, false));
        Assert.AreEqual(MsrAccessResult.Ok, pmu.GetMsr(new MsrRef(MsrId.MsrF15hPerfCtr, 2), out ulong value));
        Assert.AreEqual(77UL, value);
        Assert.AreEqual(77UL, design.Counters[2]);
    }

    [TestMethod]
    public void Global_msrs_need_pmu_version_2()
    {
        var (v1, _) = Create(IntelCaps with { Version = 1, FixedCounters = 0 });
        Assert.IsFalse(v1.IsValidMsr(new MsrRef(MsrId.Ia32PerfGlobalCtrl, 0), false));
        Assert.IsFalse(v1.IsValidMsr(new MsrRef(MsrId.Ia32FixedCtrCtrl, 0), false));
        Assert.IsTrue(v1.IsValidMsr(new MsrRef(MsrId.Ia32Perfevtsel, 0), false));

        var (amdV1, _) = Create(AmdCaps with { Version = 1, Features = PmuFeatures.PerfctrCore });
        Assert.IsFalse(amdV1.IsValidMsr(new MsrRef(MsrId.MsrAmd64PerfCntrGlobalCtl, 0), false));
        Assert.IsTrue(amdV1.IsValidMsr(new MsrRef(MsrId.MsrK7Evntsel, 3), false));
    }

    [TestMethod]
    public void Rdpmc_decodes_the_intel_type_field_and_the_amd_index()
    {
        var (intel, intelDesign) = Create(IntelCaps);
        intelDesign.Fixed[1] = 1234;
        intelDesign.Counters[3] = 99;
        Assert.AreEqual(MsrAccessResult.Ok, intel.Rdpmc(0x4000_0001, out ulong fixedValue));
        Assert.AreEqual(1234UL, fixedValue);
        Assert.AreEqual(MsrAccessResult.Ok, intel.Rdpmc(3, out ulong gpValue));
        Assert.AreEqual(99UL, gpValue);
        Assert.AreEqual(MsrAccessResult.GeneralProtection, intel.Rdpmc(0x4000_0003, out _), "3 fixed counters: index 3 is past them");
        Assert.AreEqual(MsrAccessResult.GeneralProtection, intel.Rdpmc(0x8000_0000, out _), "the old fast-read bit is an unknown type");
        Assert.AreEqual(MsrAccessResult.GeneralProtection, intel.Rdpmc(0x2000_0000, out _), "no PERF_METRICS in this design");

        var (amd, _) = Create(AmdCaps);
        Assert.AreEqual(MsrAccessResult.Ok, amd.Rdpmc(5, out _));
        Assert.AreEqual(MsrAccessResult.GeneralProtection, amd.Rdpmc(6, out _));
    }

    [TestMethod]
    public void Writes_to_a_pmc_mark_it_in_use_and_a_fixed_ctrl_change_marks_the_changed_fields()
    {
        var (pmu, _) = Create(IntelCaps);
        pmu.SetMsr(new MsrRef(MsrId.Ia32Perfevtsel, 2), 0, false);
        Assert.AreEqual(1UL << 2, pmu.PmcInUse);

        // Field 1 (bits 7:4) changes from 0 to 0xB: fixed PMC 1 is pmc->idx 33.
        pmu.SetMsr(new MsrRef(MsrId.Ia32FixedCtrCtrl, 0), 0xB0, false);
        Assert.AreEqual((1UL << 2) | (1UL << 33), pmu.PmcInUse);
    }

    /// <summary>A design with no behaviour of its own: every value is a plain field.</summary>
    private sealed class RegisterFile(PmuCaps caps) : IPmuDesign
    {
        public ulong[] Counters { get; } = new ulong[caps.GpCounters];
        public ulong[] EventSelects { get; } = new ulong[caps.GpCounters];
        public ulong[] Fixed { get; } = new ulong[caps.FixedCounters];
        public int GlobalCtrlWrites { get; private set; }
        public PmuCaps Caps => caps;
        public int GpCounters => Counters.Length;
        public int FixedCounters => Fixed.Length;
        public ulong FixedCtrCtrl { get; private set; }
        public ulong GlobalCtrl { get; private set; }
        public ulong GlobalStatus { get; set; }

        public ulong ReadCounter(PmuMsr pmc) => pmc.IsFixed ? Fixed[pmc.Index] : Counters[pmc.Index];

        public void WriteCounter(PmuMsr pmc, ulong value)
        {
            if (pmc.IsFixed)
            {
                Fixed[pmc.Index] = value;
            }
            else
            {
                Counters[pmc.Index] = value;
            }
        }

        public ulong ReadEventSelect(int index) => EventSelects[index];
        public void WriteEventSelect(int index, ulong value) => EventSelects[index] = value;
        public void WriteFixedCtrCtrl(ulong value) => FixedCtrCtrl = value;

        public void WriteGlobalCtrl(ulong value)
        {
            GlobalCtrlWrites++;
            GlobalCtrl = value;
        }

        public void ClearGlobalStatus(ulong bits) => GlobalStatus &= ~bits;
        public void SetGlobalStatus(ulong bits) => GlobalStatus |= bits;
        public void RestoreGlobalStatus(ulong value) => GlobalStatus = value;

        public void ReprogramCounters(ulong diff)
        {
        }
    }
}
