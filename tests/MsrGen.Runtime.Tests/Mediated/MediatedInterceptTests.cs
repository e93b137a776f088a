using MsrGen.Registers;
using MsrGen.Runtime.Mediated;

namespace MsrGen.Runtime.Tests.Mediated;

/// <summary>The pass-through rules of arch/x86/kvm/vmx/vmx.c vmx_recalc_pmu_msr_intercepts() and arch/x86/kvm/svm/svm.c svm_recalc_pmu_msr_intercepts(), read from the real bitmap layouts.</summary>
[TestClass]
public sealed class MediatedInterceptTests
{
    private static MediatedIntercepts Build(PmuCaps host, PmuCaps requested, bool backdoor = false)
    {
        var guest = MediatedPmuSupport.DeriveGuest(requested, host, mediated: true);
        return new MediatedIntercepts(guest, host, mediated: true, backdoor);
    }

    [TestMethod]
    public void Intel_guest_with_the_hosts_counters_gets_the_data_plane_and_global_msrs_but_not_the_controls()
    {
        var host = MediatedHarness.IntelHost;
        var x = Build(host, host);
        Assert.IsNotNull(x.VmxBitmap);
        for (int i = 0; i < 8; i++)
        {
            Assert.IsFalse(x.Intercepts(Ia32Pmc.AddressOf(i), write: false), $"PMC{i} read");
            Assert.IsFalse(x.Intercepts(Ia32Pmc.AddressOf(i), write: true), $"PMC{i} write");
            Assert.IsFalse(x.Intercepts(Ia32APmc.AddressOf(i), write: true), $"A_PMC{i} write (FW_WRITES)");
            Assert.IsTrue(x.Intercepts(Ia32Perfevtsel.AddressOf(i), write: true), $"PERFEVTSEL{i} write");
            Assert.IsTrue(x.Intercepts(Ia32Perfevtsel.AddressOf(i), write: false), $"PERFEVTSEL{i} read");
        }

        for (int i = 0; i < 3; i++)
        {
            Assert.IsFalse(x.Intercepts(Ia32FixedCtr.AddressOf(i), write: true), $"FIXED_CTR{i}");
        }

        Assert.IsTrue(x.Intercepts(Ia32FixedCtrCtrl.Address, write: true));
        Assert.IsFalse(x.Intercepts(Ia32PerfGlobalCtrl.Address, write: true));
        Assert.IsFalse(x.Intercepts(Ia32PerfGlobalStatus.Address, write: false));
        Assert.IsFalse(x.Intercepts(Ia32PerfGlobalOvfCtrl.Address, write: true));
        Assert.IsTrue(x.Intercepts(Ia32PerfGlobalStatusSet.Address, write: true), "STATUS_SET is KVM's, not the guest's");
        Assert.IsTrue(x.Intercepts(Ia32PerfCapabilities.Address, write: true));
        Assert.IsTrue(x.Intercepts(Ia32PebsEnable.Address, write: true));
        Assert.IsFalse(x.GlobalCtrlIntercepted);
        Assert.IsFalse(x.RdpmcIntercepted);
        Assert.AreEqual(new GlobalCtrlTransitionControls(true, true, true, 0), x.TransitionControls);
    }

    [TestMethod]
    public void The_bitmap_bits_sit_where_the_sdm_puts_them()
    {
        var x = Build(MediatedHarness.IntelHost, MediatedHarness.IntelHost);
        var bytes = x.VmxBitmap!.Bytes;
        // Read-low bitmap at 0, write-low at 2048: bit (msr & 7) of byte (msr >> 3).
        uint evtsel0 = Ia32Perfevtsel.AddressOf(0), pmc0 = Ia32Pmc.AddressOf(0);
        Assert.AreNotEqual(0, bytes[(int)(evtsel0 >> 3)] & (1 << (int)(evtsel0 & 7)));
        Assert.AreNotEqual(0, bytes[2048 + (int)(evtsel0 >> 3)] & (1 << (int)(evtsel0 & 7)));
        Assert.AreEqual(0, bytes[(int)(pmc0 >> 3)] & (1 << (int)(pmc0 & 7)));
        Assert.AreEqual(0, bytes[2048 + (int)(pmc0 >> 3)] & (1 << (int)(pmc0 & 7)));
        Assert.AreEqual(VmxMsrBitmap.Size, bytes.Length);
    }

    [TestMethod]
    public void Intel_guest_with_fewer_counters_has_the_rest_and_the_global_msrs_and_rdpmc_intercepted()
    {
        var host = MediatedHarness.IntelHost;
        var x = Build(host, host with { GpCounters = 4, FixedCounters = 2 });
        for (int i = 0; i < 4; i++)
        {
            Assert.IsFalse(x.Intercepts(Ia32Pmc.AddressOf(i), write: true));
        }

        for (int i = 4; i < 8; i++)
        {
            Assert.IsTrue(x.Intercepts(Ia32Pmc.AddressOf(i), write: true), $"PMC{i} beyond the guest");
            Assert.IsTrue(x.Intercepts(Ia32APmc.AddressOf(i), write: false));
        }

        Assert.IsFalse(x.Intercepts(Ia32FixedCtr.AddressOf(1), write: true));
        Assert.IsTrue(x.Intercepts(Ia32FixedCtr.AddressOf(2), write: true));
        Assert.IsTrue(x.GlobalCtrlIntercepted);
        Assert.IsTrue(x.Intercepts(Ia32PerfGlobalCtrl.Address, write: true));
        Assert.IsTrue(x.Intercepts(Ia32PerfGlobalStatus.Address, write: false));
        Assert.IsTrue(x.RdpmcIntercepted);
    }

    [TestMethod]
    public void Without_full_width_writes_the_a_pmc_aliases_exit()
    {
        var host = MediatedHarness.IntelHost;
        var x = Build(host, host with { PerfCapabilities = 0 });
        Assert.IsTrue(x.Intercepts(Ia32APmc.AddressOf(0), write: true));
        Assert.IsFalse(x.Intercepts(Ia32Pmc.AddressOf(0), write: true));
    }

    [TestMethod]
    public void Rdpmc_passes_through_only_with_equal_counts_and_widths_and_no_vmware_backdoor()
    {
        var host = MediatedHarness.IntelHost;
        Assert.IsFalse(Build(host, host).RdpmcIntercepted);
        Assert.IsTrue(Build(host, host, backdoor: true).RdpmcIntercepted);
        Assert.IsTrue(Build(host, host with { GpWidth = 32 }).RdpmcIntercepted);
        Assert.IsTrue(Build(host, host with { FixedCounters = 1 }).RdpmcIntercepted);
        var guest = MediatedPmuSupport.DeriveGuest(host, host, true);
        Assert.IsTrue(MediatedIntercepts.NeedRdpmcIntercept(guest, host, mediated: false, vmwareBackdoor: false), "legacy always exits");
        var legacy = new MediatedIntercepts(guest, host, mediated: false, vmwareBackdoor: false);
        Assert.IsTrue(legacy.Intercepts(Ia32Pmc.AddressOf(0), write: false), "the legacy vPMU intercepts counters");
    }

    [TestMethod]
    public void Amd_passes_k7_counters_below_min_nr_gp_4_and_f15h_counters_and_intercepts_selects()
    {
        var host = MediatedHarness.AmdHost;
        var x = Build(host, host);
        Assert.IsNotNull(x.SvmPermissionMap);
        for (int i = 0; i < 4; i++)
        {
            Assert.IsFalse(x.Intercepts(MsrK7Perfctr.AddressOf(i), write: true), $"K7 PERFCTR{i}");
            Assert.IsTrue(x.Intercepts(MsrK7Evntsel.AddressOf(i), write: true), $"K7 EVNTSEL{i}");
        }

        for (int i = 0; i < 6; i++)
        {
            Assert.IsFalse(x.Intercepts(MsrF15hPerfCtr.AddressOf(i), write: true), $"F15H CTR{i}");
            Assert.IsTrue(x.Intercepts(MsrF15hPerfCtl.AddressOf(i), write: true), $"F15H CTL{i}");
        }

        Assert.IsFalse(x.Intercepts(MsrAmd64PerfCntrGlobalCtl.Address, write: true));
        Assert.IsFalse(x.Intercepts(MsrAmd64PerfCntrGlobalStatusClr.Address, write: true));
        Assert.IsFalse(x.GlobalCtrlIntercepted);
        Assert.AreEqual(default, x.TransitionControls, "AMD has no GLOBAL_CTRL VMCB controls");
    }

    [TestMethod]
    public void Amd_guest_without_perfctr_core_or_v2_gets_four_k7_counters_and_intercepted_globals()
    {
        var host = MediatedHarness.AmdHost;
        var x = Build(host, host with { Version = 1, Features = PmuFeatures.None });
        Assert.AreEqual(4, x.Guest.GpCounters);
        Assert.AreEqual(1, x.Guest.Version);
        Assert.IsFalse(x.Intercepts(MsrK7Perfctr.AddressOf(3), write: true));
        Assert.IsTrue(x.Intercepts(MsrF15hPerfCtr.AddressOf(0), write: true), "F15H counters need PERFCTR_CORE");
        Assert.IsTrue(x.Intercepts(MsrAmd64PerfCntrGlobalCtl.Address, write: true));
        Assert.IsTrue(x.RdpmcIntercepted);
    }
}
