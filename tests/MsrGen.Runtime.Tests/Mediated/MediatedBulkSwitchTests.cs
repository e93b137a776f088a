using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Runtime.Cost;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Mediated.Integration;

namespace MsrGen.Runtime.Tests.Mediated;

/// <summary>
/// The run-loop world switch moves the guest's counters with bulk operations of the physical PMU
/// unless a switch trace records the accesses one by one. Both ways must count exactly what
/// arch/x86/kvm/pmu.c kvm_mediated_pmu_put() and kvm_mediated_pmu_load() (with the vendor parts of
/// arch/x86/kvm/vmx/pmu_intel.c) execute; the expected figures are counted by hand below.
/// </summary>
[TestClass]
public sealed class MediatedBulkSwitchTests
{
    [TestMethod]
    [DataRow(false, true, DisplayName = "bulk, unchanged switches replayed (the default)")]
    [DataRow(false, false, DisplayName = "bulk, every switch performed")]
    [DataRow(true, true, DisplayName = "one by one (switch trace attached: never replayed)")]
    public void A_slow_exit_on_an_Intel_guest_counts_the_hand_counted_accesses(bool traced, bool replay)
    {
        var host = new HostMachine(PmuPresets.Get("sapphire-rapids"), new KvmModuleParameters { EnableMediatedPmu = true }) { ReplaySwitches = replay };
        var vcpu = Vm.Create(host, new VmRequest { Mode = VpmuMode.Mediated }).Vm!.Vcpus[0];
        var state = ((MediatedRuntimeVpmu)vcpu.Pmu).State;
        if (traced)
        {
            state.Hardware.Trace = new List<PmuAccessRecord>();
        }

        int n = vcpu.GuestCaps.GpCounters, m = vcpu.GuestCaps.FixedCounters;
        Assert.IsTrue(n >= 2 && m >= 1, $"{n} GP and {m} fixed counters");

        // Event select 1: unhalted core cycles (0x3C), USR, EN. Nothing in this test runs guest code,
        // so no counter moves; only counter 0, written directly by the guest, holds a non-zero value.
        Assert.IsFalse(vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(1), 0x3C | 1UL << 16 | 1UL << 22).Faulted);
        Assert.IsFalse(vcpu.GuestWrmsr(Ia32APmc.AddressOf(0), 5).Faulted);
        vcpu.GuestExits(0, 1);

        var hw = vcpu.Metrics.Hardware;
        long reads0 = hw.MsrReads, writes0 = hw.MsrWrites, rdpmcs0 = hw.Rdpmcs, lvtpc0 = hw.LvtpcWrites;
        long pmc0 = hw.WritesOf(new MsrRef(MsrId.Ia32APmc, 0)), sel1 = hw.WritesOf(new MsrRef(MsrId.Ia32Perfevtsel, 1));
        long sel0 = hw.WritesOf(new MsrRef(MsrId.Ia32Perfevtsel, 0)), pmc1 = hw.WritesOf(new MsrRef(MsrId.Ia32APmc, 1));
        long ctrl = hw.WritesOf(new MsrRef(MsrId.Ia32PerfGlobalCtrl, 0)), fixedCtrl = hw.WritesOf(new MsrRef(MsrId.Ia32FixedCtrCtrl, 0));
        long status = hw.ReadsOf(new MsrRef(MsrId.Ia32PerfGlobalStatus, 0)), fixed0 = hw.WritesOf(new MsrRef(MsrId.Ia32FixedCtr, 0));
        var ops0 = state.Hardware.Counts;
        vcpu.Metrics.TryGet("cost.wrmsr", out ulong wrmsrCycles0);
        vcpu.Metrics.TryGet("cost.rdpmc", out ulong rdpmcCycles0);

        long replayed0 = state.ReplayedSwitches;
        const int Exits = 3;
        for (int i = 0; i < Exits; i++)
        {
            // One exit per call: a long run would take the closed form (Vcpu.Repeat.cs).
            vcpu.GuestExits(0, 1);
        }

        // Per slow exit, by hand (guest status, FIXED_CTR_CTRL and every other counter are 0):
        //   put:  RDMSR GLOBAL_STATUS (0: no OVF_CTRL write; FIXED_CTR_CTRL is 0: no write);
        //         n RDPMC of the GP counters, WRMSR 0 to PMC0 (it holds 5) and to PERFEVTSEL1 (non-zero);
        //         m RDPMC of the fixed counters (all 0: no write); the LVTPC back to NMI.
        //   load: WRMSR GLOBAL_CTRL = 0; the LVTPC; n RDPMC, WRMSR PMC0 = 5 (hardware reads 0, not 5);
        //         n WRMSRs of the event selects (always written); m RDPMC (all match: no write);
        //         RDMSR GLOBAL_STATUS (matches the guest's 0: no toggle writes); WRMSR FIXED_CTR_CTRL.
        // Reads 2, writes 2 + (1 + 1 + n + 1) = n + 5, RDPMCs 2(n + m), LVTPC writes 2.
        Assert.AreEqual(2L * Exits, hw.MsrReads - reads0, "RDMSRs");
        Assert.AreEqual((n + 5L) * Exits, hw.MsrWrites - writes0, "WRMSRs");
        Assert.AreEqual(2L * (n + m) * Exits, hw.Rdpmcs - rdpmcs0, "RDPMCs");
        Assert.AreEqual(2L * Exits, hw.WritesOf(new MsrRef(MsrId.Ia32APmc, 0)) - pmc0, "PMC0: zeroed at put, restored at load");
        Assert.AreEqual(0L, hw.WritesOf(new MsrRef(MsrId.Ia32APmc, 1)) - pmc1, "PMC1 holds 0 and the load's RDPMC shows 0: never written");
        Assert.AreEqual(2L * Exits, hw.WritesOf(new MsrRef(MsrId.Ia32Perfevtsel, 1)) - sel1, "PERFEVTSEL1: zeroed at put, written at load");
        Assert.AreEqual(1L * Exits, hw.WritesOf(new MsrRef(MsrId.Ia32Perfevtsel, 0)) - sel0, "PERFEVTSEL0: 0, written at load only");
        Assert.AreEqual(1L * Exits, hw.WritesOf(new MsrRef(MsrId.Ia32PerfGlobalCtrl, 0)) - ctrl, "GLOBAL_CTRL = 0 at load");
        Assert.AreEqual(1L * Exits, hw.WritesOf(new MsrRef(MsrId.Ia32FixedCtrCtrl, 0)) - fixedCtrl, "FIXED_CTR_CTRL at load");
        Assert.AreEqual(2L * Exits, hw.ReadsOf(new MsrRef(MsrId.Ia32PerfGlobalStatus, 0)) - status, "GLOBAL_STATUS at put and load");
        Assert.AreEqual(0L, hw.WritesOf(new MsrRef(MsrId.Ia32FixedCtr, 0)) - fixed0, "fixed counter 0 holds 0");

        var ops = state.Hardware.Counts - ops0;
        Assert.AreEqual(new PmuOpCounts(2L * Exits, (n + 5L) * Exits, 2L * (n + m) * Exits, 2L * Exits, 0), ops, "the switch's own counts");

        vcpu.Metrics.TryGet("cost.wrmsr", out ulong wrmsrCycles);
        vcpu.Metrics.TryGet("cost.rdpmc", out ulong rdpmcCycles);
        // The two LVTPC writes are x2APIC WRMSRs: not PMU MSR accesses (not in MsrWrites above), but priced as WRMSRs.
        Assert.AreEqual(2L * Exits, hw.LvtpcWrites - lvtpc0, "LVTPC writes");
        Assert.AreEqual((ulong)((n + 5L + 2L) * Exits) * host.Costs[CostTable.Wrmsr], wrmsrCycles - wrmsrCycles0, "WRMSR cycles");
        Assert.AreEqual((ulong)(2L * (n + m) * Exits) * host.Costs[CostTable.Rdpmc], rdpmcCycles - rdpmcCycles0, "RDPMC cycles");

        // The guest's view is unchanged by the switches: its counter 0 still reads 5 (a direct read of the loaded counter).
        Assert.AreEqual(5UL, vcpu.GuestRdmsr(Ia32APmc.AddressOf(0)).Value);
        Assert.AreEqual(traced, state.Hardware.Trace is { Count: > 0 }, "the trace records only when attached");
        // The exit before the measured ones performed this input set access by access and recorded
        // it; each measured exit then replays it (MediatedVpmu.Replay.cs), unless replay is off or a trace records.
        Assert.AreEqual(replay && !traced ? Exits : 0L, state.ReplayedSwitches - replayed0, "switches replayed");
    }
}
