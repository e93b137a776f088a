using System;
using System.Threading;
using System.Threading.Tasks;
using MsrGen.Registers;
using MsrGen.Runtime.Mediated;

namespace MsrGen.Runtime.Tests.Mediated;

[TestClass]
public sealed class MediatedAccountingTests
{
    [TestMethod]
    public void Creating_a_mediated_vm_while_an_include_guest_event_exists_is_EBUSY()
    {
        var perf = new MediatedPmuAccounting();
        Assert.AreEqual(AccountingResult.Ok, perf.AccountEvent(pmuSupportsMediated: true, excludeGuest: false));
        Assert.AreEqual(AccountingResult.Busy, perf.CreateMediatedPmu());
        Assert.AreEqual(0, perf.MediatedVms);

        perf.UnaccountEvent(pmuSupportsMediated: true, excludeGuest: false);
        Assert.AreEqual(AccountingResult.Ok, perf.CreateMediatedPmu());
        Assert.AreEqual(1, perf.MediatedVms);
    }

    [TestMethod]
    public void An_include_guest_event_while_a_mediated_vm_exists_is_EOPNOTSUPP_and_others_are_unaffected()
    {
        var perf = new MediatedPmuAccounting();
        Assert.AreEqual(AccountingResult.Ok, perf.CreateMediatedPmu());
        Assert.AreEqual(AccountingResult.NotSupported, perf.AccountEvent(pmuSupportsMediated: true, excludeGuest: false));
        Assert.AreEqual(AccountingResult.Ok, perf.AccountEvent(pmuSupportsMediated: true, excludeGuest: true), "exclude_guest events coexist");
        Assert.AreEqual(AccountingResult.Ok, perf.AccountEvent(pmuSupportsMediated: false, excludeGuest: false), "uncore-style PMUs are exempt");
        Assert.AreEqual(0, perf.IncludeGuestEvents);

        perf.ReleaseMediatedPmu();
        Assert.AreEqual(AccountingResult.Ok, perf.AccountEvent(pmuSupportsMediated: true, excludeGuest: false));
    }

    [TestMethod]
    public void Underflow_is_a_logged_warning_once_per_site_not_a_crash()
    {
        var perf = new MediatedPmuAccounting();
        perf.ReleaseMediatedPmu();
        perf.ReleaseMediatedPmu();
        perf.UnaccountEvent(pmuSupportsMediated: true, excludeGuest: false);

        Assert.AreEqual(0, perf.MediatedVms);
        Assert.AreEqual(0, perf.IncludeGuestEvents);
        var warnings = perf.Log.Warnings;
        Assert.HasCount(2, warnings);
        Assert.AreEqual("perf_release_mediated_pmu", warnings[0].Site);
        Assert.AreEqual(2, warnings[0].Occurrences);
        Assert.Contains("underflow", warnings[0].Message);
        Assert.AreEqual("mediated_pmu_unaccount_event", warnings[1].Site);

        // After the bogus releases the counts still work normally.
        Assert.AreEqual(AccountingResult.Ok, perf.CreateMediatedPmu());
        Assert.AreEqual(1, perf.MediatedVms);
    }

    [TestMethod]
    public void Fast_paths_are_symmetric_increment_and_decrement_skip_the_mutex_away_from_zero()
    {
        var perf = new MediatedPmuAccounting();
        Assert.AreEqual(AccountingResult.Ok, perf.CreateMediatedPmu());
        long afterFirst = perf.LockedPaths;
        Assert.AreEqual(1, afterFirst, "0 -> 1 takes the mutex");

        Assert.AreEqual(AccountingResult.Ok, perf.CreateMediatedPmu());
        Assert.AreEqual(AccountingResult.Ok, perf.CreateMediatedPmu());
        Assert.AreEqual(afterFirst, perf.LockedPaths, "non-zero -> +1 is lock-free");

        perf.ReleaseMediatedPmu();
        perf.ReleaseMediatedPmu();
        Assert.AreEqual(afterFirst, perf.LockedPaths, "decrements that stay above zero are lock-free");

        perf.ReleaseMediatedPmu();
        Assert.AreEqual(afterFirst + 1, perf.LockedPaths, "1 -> 0 takes the mutex");

        // The event side has the same shape.
        Assert.AreEqual(AccountingResult.Ok, perf.AccountEvent(true, false));
        Assert.AreEqual(AccountingResult.Ok, perf.AccountEvent(true, false));
        perf.UnaccountEvent(true, false);
        perf.UnaccountEvent(true, false);
        Assert.AreEqual(afterFirst + 3, perf.LockedPaths);
    }

    [TestMethod]
    public void Many_threads_never_see_both_kinds_at_once_and_never_lose_a_count()
    {
        var perf = new MediatedPmuAccounting();
        const int Threads = 8;
        const int Rounds = 20_000;
        int violations = 0;
        using var start = new Barrier(Threads + 1);
        var workers = new Task[Threads];
        for (int t = 0; t < Threads; t++)
        {
            bool vmSide = t % 2 == 0;
            int seed = t;
            workers[t] = Task.Factory.StartNew(() =>
            {
                var rng = new Random(seed);
                int mine = 0;
                start.SignalAndWait();
                for (int r = 0; r < Rounds; r++)
                {
                    bool acquire = mine == 0 || (mine < 3 && rng.Next(2) == 0);
                    if (acquire)
                    {
                        var result = vmSide ? perf.CreateMediatedPmu() : perf.AccountEvent(true, false);
                        if (result == AccountingResult.Ok)
                        {
                            mine++;
                            if (perf.MediatedVms > 0 && perf.IncludeGuestEvents > 0)
                            {
                                Interlocked.Increment(ref violations);
                            }
                        }
                        else
                        {
                            Assert.AreEqual(vmSide ? AccountingResult.Busy : AccountingResult.NotSupported, result);
                        }
                    }
                    else
                    {
                        mine--;
                        if (vmSide)
                        {
                            perf.ReleaseMediatedPmu();
                        }
                        else
                        {
                            perf.UnaccountEvent(true, false);
                        }
                    }
                }

                while (mine-- > 0)
                {
                    if (vmSide)
                    {
                        perf.ReleaseMediatedPmu();
                    }
                    else
                    {
                        perf.UnaccountEvent(true, false);
                    }
                }
            }, TaskCreationOptions.LongRunning);
        }

        start.SignalAndWait();
        Task.WaitAll(workers);

        Assert.AreEqual(0, violations, "a mediated VM and an include-guest event were observed together");
        Assert.AreEqual(0, perf.MediatedVms, "every VM count was released");
        Assert.AreEqual(0, perf.IncludeGuestEvents, "every event count was released");
        Assert.IsEmpty(perf.Log.Warnings, "no underflow under correct use");
    }

    [TestMethod]
    public void Kvm_creates_at_the_first_vcpu_keeps_it_sticky_and_releases_at_destruction()
    {
        var perf = new MediatedPmuAccounting();
        var guest = MediatedPmuSupport.DeriveGuest(MediatedHarness.IntelHost, MediatedHarness.IntelHost, mediated: true);
        var vm = new KvmMediatedVm(perf, mediatedEnabled: true, inKernelIrqchip: true, guest);
        Assert.AreEqual(0, perf.MediatedVms, "nothing at VM creation");

        Assert.AreEqual(VcpuCreateResult.MediatedPmu, vm.CreateVcpu());
        Assert.AreEqual(VcpuCreateResult.MediatedPmu, vm.CreateVcpu());
        Assert.AreEqual(1, perf.MediatedVms, "one count per VM, not per vCPU");
        Assert.IsTrue(vm.CreatedMediatedPmu);

        vm.Destroy();
        vm.Destroy();
        Assert.AreEqual(0, perf.MediatedVms);
        Assert.IsEmpty(perf.Log.Warnings);
    }

    [TestMethod]
    public void First_vcpu_fails_with_EBUSY_while_include_guest_events_exist()
    {
        var perf = new MediatedPmuAccounting();
        perf.AccountEvent(true, false);
        var guest = MediatedPmuSupport.DeriveGuest(MediatedHarness.AmdHost, MediatedHarness.AmdHost, mediated: true);
        var vm = new KvmMediatedVm(perf, true, true, guest);
        Assert.AreEqual(VcpuCreateResult.Busy, vm.CreateVcpu());
        Assert.AreEqual(0, vm.Vcpus);

        perf.UnaccountEvent(true, false);
        Assert.AreEqual(VcpuCreateResult.MediatedPmu, vm.CreateVcpu());
        vm.Destroy();
        Assert.AreEqual(0, perf.MediatedVms);
    }

    [TestMethod]
    public void Without_an_in_kernel_lapic_or_with_pmu_version_0_the_vm_has_no_pmu_and_is_not_accounted()
    {
        var perf = new MediatedPmuAccounting();
        var guest = MediatedPmuSupport.DeriveGuest(MediatedHarness.IntelHost, MediatedHarness.IntelHost, mediated: true);
        var noLapic = new KvmMediatedVm(perf, true, inKernelIrqchip: false, guest);
        Assert.AreEqual(VcpuCreateResult.NoPmu, noLapic.CreateVcpu());
        Assert.IsFalse(noLapic.PmuEnabled);

        var v0 = MediatedPmuSupport.DeriveGuest(MediatedHarness.IntelHost with { Version = 0 }, MediatedHarness.IntelHost, mediated: true);
        var versionZero = new KvmMediatedVm(perf, true, true, v0);
        Assert.AreEqual(VcpuCreateResult.NoPmu, versionZero.CreateVcpu());
        Assert.IsFalse(MediatedPmuSupport.VcpuHasMediatedPmu(true, v0), "version 0 falls back to no PMU, not the legacy one");

        noLapic.Destroy();
        versionZero.Destroy();
        Assert.AreEqual(0, perf.MediatedVms);
        Assert.IsEmpty(perf.Log.Warnings, "nothing to release, nothing released");
    }

    [TestMethod]
    public void Enablement_needs_the_parameter_intel_v4_full_width_and_entry_load_or_amd_v2()
    {
        var on = new MsrGen.Runtime.Kvm.KvmModuleParameters { EnableMediatedPmu = true };
        Assert.AreEqual(MediatedEnablement.Enabled, MediatedPmuSupport.Evaluate(MediatedHarness.IntelHost, on));
        Assert.AreEqual(MediatedEnablement.ParameterOff, MediatedPmuSupport.Evaluate(MediatedHarness.IntelHost, new MsrGen.Runtime.Kvm.KvmModuleParameters { EnablePmu = true }));
        Assert.AreEqual(MediatedEnablement.PmuDisabled, MediatedPmuSupport.Evaluate(MediatedHarness.IntelHost, on with { EnablePmu = false }));
        Assert.AreEqual(MediatedEnablement.PerfLacksMediatedCapability, MediatedPmuSupport.Evaluate(MediatedHarness.IntelHost, on with { PerfSupportsMediated = false }));
        Assert.AreEqual(MediatedEnablement.IntelNeedsVersion4, MediatedPmuSupport.Evaluate(MediatedHarness.IntelHost with { Version = 3 }, on));
        Assert.AreEqual(MediatedEnablement.IntelNeedsFullWidthWrites, MediatedPmuSupport.Evaluate(MediatedHarness.IntelHost with { PerfCapabilities = 0 }, on));
        Assert.AreEqual(MediatedEnablement.IntelNeedsVmEntryLoadGlobalCtrl, MediatedPmuSupport.Evaluate(MediatedHarness.IntelHost, on with { VmEntryLoadsGlobalCtrl = false }));
        Assert.AreEqual(MediatedEnablement.Enabled, MediatedPmuSupport.Evaluate(MediatedHarness.AmdHost, on));
        Assert.AreEqual(MediatedEnablement.AmdNeedsPerfMonV2, MediatedPmuSupport.Evaluate(MediatedHarness.AmdHost with { Version = 1 }, on));
    }

    [TestMethod]
    public void The_mediated_guest_gets_no_pebs_and_no_lbr_and_kvm_limits_apply()
    {
        var host = MediatedHarness.IntelHost with { GpCounters = 8, FixedCounters = 4 };
        var guest = MediatedPmuSupport.DeriveGuest(host with { GpCounters = 12 }, host, mediated: true);
        Assert.AreEqual(8, guest.GpCounters);
        Assert.AreEqual(3, guest.FixedCounters, "KVM exposes at most 3 fixed counters");
        Assert.AreEqual(0, guest.PebsFormat);
        Assert.IsFalse(guest.PebsBaseline);
        Assert.AreEqual(0, guest.LbrFormat);
        Assert.AreEqual(0, guest.LbrDepth);
        Assert.IsTrue(guest.FullWidthWrites, "FW_WRITES survives");

        var legacy = MediatedPmuSupport.DeriveGuest(host, host, mediated: false);
        Assert.AreNotEqual(0, legacy.PebsFormat, "only the mediated PMU withholds PEBS");

        var v1 = MediatedPmuSupport.DeriveGuest(host with { Version = 1 }, host, mediated: true);
        Assert.AreEqual(0, v1.FixedCounters, "a v1 guest has no fixed counters");
        Assert.AreEqual(Bits.LowOnes(8), MediatedPmuSupport.ResetGlobalCtrl(v1, mediated: true), "v1 internal GLOBAL_CTRL enables every GP counter");
        Assert.AreEqual(0UL, MediatedPmuSupport.ResetGlobalCtrl(v1, mediated: false));
        Assert.Throws<ArgumentException>(() => MediatedPmuSupport.DeriveGuest(MediatedHarness.AmdHost, host, true));
    }
}
