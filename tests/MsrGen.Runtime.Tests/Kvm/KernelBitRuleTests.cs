using MsrGen.Registers;

namespace MsrGen.Runtime.Tests.Kvm;

/// <summary>
/// Bits, names and conditions of the definitions against the kernel: arch/x86/include/asm/perf_event.h
/// and msr-index.h for the names and positions, arch/x86/kvm/vmx/pmu_intel.c intel_pmu_refresh for the
/// reserved masks, arch/x86/events/intel/lbr.c x86_perf_get_lbr for LBR_INFO. Expected masks are
/// written out from those sources, not read from the generated code.
/// </summary>
[TestClass]
public sealed class KernelBitRuleTests
{
    private static PmuCaps Intel(ulong perfCaps, PmuFeatures features = PmuFeatures.Pdcm, int lbrDepth = 32) =>
        new(CpuVendor.Intel, 2, 4, 3, 48, 48, perfCaps, lbrDepth, features);

    [TestMethod]
    public void Global_status_bits_54_55_60_carry_the_kernel_names_and_55_needs_pt_host_guest()
    {
        Assert.AreEqual(1UL << 54, Ia32PerfGlobalStatus.Zero.WithArchPebsThreshold(true).Value, "GLOBAL_STATUS_ARCH_PEBS_THRESHOLD_BIT");
        Assert.AreEqual(1UL << 60, Ia32PerfGlobalStatus.Zero.WithAsif(true).Value, "GLOBAL_STATUS_ASIF");
        Assert.AreEqual(1UL << 55, Ia32PerfGlobalStatus.Zero.WithTraceTopaPmi(true).Value, "GLOBAL_STATUS_TRACE_TOPAPMI");

        // global_status_rsvd = global_ctrl_rsvd & ~(BIT 62 | BIT 63), minus bit 55 in PT host-guest mode.
        ulong ctrlRsvd = ~(0xFUL | (0x7UL << 32));
        ulong statusRsvd = ctrlRsvd & ~((1UL << 62) | (1UL << 63));
        Assert.AreEqual(statusRsvd, Ia32PerfGlobalStatus.ReservedMask(Intel(0)));
        Assert.AreEqual(statusRsvd & ~(1UL << 55), Ia32PerfGlobalStatus.ReservedMask(Intel(0, PmuFeatures.Pdcm | PmuFeatures.PtHostGuest)));
        Assert.AreEqual(statusRsvd & ~(1UL << 55), Ia32PerfGlobalOvfCtrl.ReservedMask(Intel(0, PmuFeatures.Pdcm | PmuFeatures.PtHostGuest)));
    }

    [TestMethod]
    public void Global_ctrl_bit_48_is_writable_when_perf_metrics_is_offered()
    {
        ulong ctrlRsvd = ~(0xFUL | (0x7UL << 32));
        Assert.AreEqual(ctrlRsvd, Ia32PerfGlobalCtrl.ReservedMask(Intel(0)));
        Assert.AreEqual(ctrlRsvd & ~(1UL << 48), Ia32PerfGlobalCtrl.ReservedMask(Intel(PmuCaps.PerfCapPerfMetrics)));
        Assert.AreEqual(ctrlRsvd & ~(1UL << 48) & ~((1UL << 62) | (1UL << 63)), Ia32PerfGlobalStatus.ReservedMask(Intel(PmuCaps.PerfCapPerfMetrics)));
    }

    [TestMethod]
    public void Fixed_counter_adaptive_bit_needs_a_pebs_format()
    {
        ulong baselineOnly = PmuCaps.PerfCapPebsBaseline;
        ulong baselineFormat4 = PmuCaps.PerfCapPebsBaseline | (4UL << 8);
        Assert.AreNotEqual(0UL, Ia32FixedCtrCtrl.ReservedMask(Intel(baselineOnly)) & (1UL << 32), "ICL_FIXED_0_ADAPTIVE without a PEBS format");
        Assert.AreEqual(0UL, Ia32FixedCtrCtrl.ReservedMask(Intel(baselineFormat4)) & (1UL << 32));
    }

    [TestMethod]
    public void Lbr_info_exists_only_for_lbr_format_5_and_has_branch_counters_at_39_32()
    {
        Assert.IsTrue(MsrLbrInfo.Exists(Intel(5)));
        Assert.IsFalse(MsrLbrInfo.Exists(Intel(4)), "LBR_FORMAT_EIP_FLAGS2 has no LBR_INFO");
        Assert.IsFalse(MsrLbrInfo.Exists(Intel(7)), "x86_perf_get_lbr hands KVM LBR_INFO only for LBR_FORMAT_INFO");
        Assert.AreEqual(0xFFUL << 32, MsrLbrInfo.Zero.WithBrCntr(0xFF).Value, "LBR_INFO_BR_CNTR");
    }

    [TestMethod]
    public void Pebs_data_cfg_reserved_bits_are_kvms()
    {
        var caps = Intel(PmuCaps.PerfCapPebsBaseline | (4UL << 8));
        Assert.IsTrue(MsrPebsDataCfg.Exists(caps));
        Assert.AreEqual(~0xFF00000FUL, MsrPebsDataCfg.ReservedMask(caps), "pebs_data_cfg_rsvd");
        Assert.IsFalse(MsrPebsDataCfg.Exists(Intel(3UL << 8)), "PEBS format 3 has no adaptive records");
        Assert.AreEqual(0x600u, MsrIa32DsArea.Address);
        Assert.AreEqual(0x3F2u, MsrPebsDataCfg.Address);
    }
}
