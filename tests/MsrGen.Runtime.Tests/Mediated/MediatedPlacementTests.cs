using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Mediated;

namespace MsrGen.Runtime.Tests.Mediated;

/// <summary>
/// Where each placement switches on the runtime's vCPU (vcpu_enter_guest() in arch/x86/kvm/x86.c
/// with kvm_mediated_pmu_load/put in arch/x86/kvm/pmu.c), PMI routing, emulated counting and the
/// fastpath bail-out. Switch counts are counted by hand from the placement's rules in the comments.
/// </summary>
[TestClass]
public sealed class MediatedPlacementTests
{
    // GuestExits(10, 0) is one VM-entry, then ten times (fastpath exit, re-entry). The first entry
    // loads once under every placement; exit also puts at each of the ten exits and loads again at
    // each of the ten re-entries (1 + 10 loads, 10 puts); the others stay loaded in the inner loop.
    [TestMethod]
    [DataRow("exit", 11L, 10L)]
    [DataRow("run-loop", 1L, 0L)]
    [DataRow("vcpu-load", 1L, 0L)]
    [DataRow("owned", 1L, 0L)]
    [DataRow("dirty-only", 1L, 0L)]
    public void Fastpath_exits_switch_only_under_the_exit_placement(string placement, long loads, long puts)
    {
        var h = new MediatedHarness(MediatedHarness.IntelHost, placement);
        h.Vcpu.GuestExits(10, 0);
        Assert.AreEqual(loads, h.Pmu.Loads);
        Assert.AreEqual(puts, h.Pmu.Puts);
        Assert.AreEqual(10, h.Vm.Metrics.FastpathExits);
    }

    // Five slow exits leave the inner loop: exit puts at the exit, run-loop and dirty-only when the
    // loop ends; vcpu-load and owned keep the state loaded. Sched-out preempts the vCPU in guest
    // mode: one more slow exit (one more put for the first three), then vcpu-load's put at
    // kvm_sched_out; owned never puts.
    [TestMethod]
    [DataRow("exit", 5L, 6L)]
    [DataRow("run-loop", 5L, 6L)]
    [DataRow("vcpu-load", 0L, 1L)]
    [DataRow("owned", 0L, 0L)]
    [DataRow("dirty-only", 5L, 6L)]
    public void Slow_exits_put_except_under_vcpu_load_and_owned(string placement, long puts, long putsAfterSchedOut)
    {
        var h = new MediatedHarness(MediatedHarness.IntelHost, placement);
        h.Vcpu.GuestExits(0, 5);
        Assert.AreEqual(puts, h.Pmu.Puts);
        h.Vcpu.SchedOut();
        Assert.AreEqual(putsAfterSchedOut, h.Pmu.Puts, "vcpu-load puts at sched-out; owned never does");
    }

    [TestMethod]
    public void Owned_blinds_host_perf_for_all_host_time_and_run_loop_only_inside_the_loop()
    {
        var owned = new MediatedHarness(MediatedHarness.IntelHost, "owned");
        var runLoop = new MediatedHarness(MediatedHarness.IntelHost, "run-loop");
        var events = new PerfEvent[2];
        int k = 0;
        foreach (var h in new[] { owned, runLoop })
        {
            var ev = h.OpenHostInstructions("host-instr", disabled: false);
            events[k++] = ev;
            h.Vcpu.GuestExits(20, 5);
            Assert.AreNotEqual(PerfEventState.Active, ev.State, "inside the run loop host perf is out under both");
            h.HostRun(3000);
        }

        Assert.AreNotEqual(PerfEventState.Active, events[0].State, "owned: even plain host work is invisible to host perf");
        Assert.AreEqual(0UL, owned.Perf.Read(events[0]));
        Assert.AreEqual(PerfEventState.Active, events[1].State, "run-loop: host perf is back once KVM_RUN returned");
        Assert.AreEqual(3000UL, runLoop.Perf.Read(events[1]));
    }

    [TestMethod]
    public void Dirty_only_moves_far_fewer_registers_than_run_loop_for_an_idle_pmu_guest()
    {
        static long SteadyOpsPer100Exits(MediatedHarness h)
        {
            h.Vcpu.GuestExits(0, 1);
            var before = h.Pmu.Hardware.Counts;
            h.Vcpu.GuestExits(0, 100);
            return (h.Pmu.Hardware.Counts - before).Total;
        }

        long dirtyOps = SteadyOpsPer100Exits(new MediatedHarness(MediatedHarness.IntelHost, "dirty-only"));
        long runLoopOps = SteadyOpsPer100Exits(new MediatedHarness(MediatedHarness.IntelHost, "run-loop"));
        Assert.AreEqual(0L, dirtyOps, "nothing was touched, nothing moves");
        // run-loop moves at least each of the 8 GP and 3 fixed counters (RDPMC at put, RDPMC at load) per exit.
        Assert.IsTrue(runLoopOps > 20L * 100, $"run-loop reads and writes every counter each time ({runLoopOps})");
    }

    [TestMethod]
    public void A_guest_overflow_arrives_on_0xF5_exits_and_is_injected_through_the_guest_lvtpc()
    {
        var h = new MediatedHarness(MediatedHarness.IntelHost);
        h.Vcpu.Lvtpc = 0xEE; // guest vector 0xEE, fixed delivery, unmasked
        h.GuestCountInstructions(0, interrupt: true); // counter 0 = 1: the enabling WRMSR counts itself
        // The passed-through write sets mask - 99, and its own retirement makes it mask - 98: 99 to overflow.
        Assert.IsFalse(h.Vcpu.GuestWrmsr(Ia32APmc.AddressOf(0), h.Guest.GpCounterMask - 99).Faulted);
        long irqExits = h.Vm.Metrics.ExitsBy(ExitReason.ExternalInterrupt);

        h.GuestRun(instructions: 150);

        Assert.AreEqual(1, h.Pmu.MediatedPmisReceived, "the 0xF5 interrupt reached KVM");
        Assert.AreEqual(irqExits + 1, h.Vm.Metrics.ExitsBy(ExitReason.ExternalInterrupt), "it caused a VM-exit");
        Assert.AreEqual(0, h.Vm.Metrics.ExitsBy(ExitReason.Nmi), "not a host NMI");
        Assert.AreEqual(1, h.Vm.Metrics.Pmis, "injected through the guest LVTPC at the re-entry");
        Assert.IsTrue(LvtpcValues.IsMasked(h.Vcpu.Lvtpc), "Intel-compatible LVTPC masks on delivery");
        h.Vcpu.ExitToUserspace();
        Assert.AreEqual(1UL, h.Pmu.View().GlobalStatus & 1, "overflow status kept for the guest");
        // mask - 98 + 150 wraps to 150 - 99 = 51.
        Assert.AreEqual(51UL, h.Pmu.View().Counters[0]);
    }

    [TestMethod]
    public void A_masked_guest_lvtpc_swallows_the_pmi()
    {
        var h = new MediatedHarness(MediatedHarness.AmdHost);
        Assert.IsTrue(LvtpcValues.IsMasked(h.Vcpu.Lvtpc), "the LVTPC resets masked");
        h.GuestCountInstructions(0, interrupt: true);
        Assert.IsFalse(h.Vcpu.GuestWrmsr(MsrF15hPerfCtr.AddressOf(0), h.Guest.GpCounterMask - 9).Faulted);
        h.GuestRun(instructions: 20);
        Assert.AreEqual(0, h.Pmu.MediatedPmisReceived, "LVTPC on the host was masked like the guest's: no interrupt");
        Assert.AreEqual(0, h.Vm.Metrics.Pmis);
        h.Vcpu.ExitToUserspace();
        Assert.AreEqual(1UL, h.Pmu.View().GlobalStatus & 1, "the overflow is still recorded");
    }

    [TestMethod]
    public void A_host_event_overflow_in_host_mode_goes_to_host_perf_as_an_nmi()
    {
        var h = new MediatedHarness(MediatedHarness.IntelHost);
        h.Vcpu.GuestExits(0, 1);
        var ev = h.OpenHostInstructions("host", disabled: false, samplePeriod: 1000);
        h.HostRun(2500); // two full periods of 1000
        Assert.AreEqual(2L, ev.Overflows);
        Assert.AreEqual(0, h.Pmu.MediatedPmisReceived);
        Assert.AreEqual(0, h.Vm.Metrics.Pmis);
    }

    [TestMethod]
    public void Emulated_instructions_count_and_overflow_into_status_and_a_pmi_request()
    {
        var h = new MediatedHarness(MediatedHarness.IntelHost);
        h.Vcpu.Lvtpc = 0xEE;
        h.GuestCountInstructions(2, interrupt: true);
        // Passed through: mask - 2, then the WRMSR itself retires natively: mask - 1.
        Assert.IsFalse(h.Vcpu.GuestWrmsr(Ia32APmc.AddressOf(2), h.Guest.GpCounterMask - 2).Faulted);
        h.Vcpu.GuestEmulate(1, 0);
        Assert.AreEqual(h.Guest.GpCounterMask, h.Pmu.View().Counters[2]);
        Assert.AreEqual(0, h.Vm.Metrics.Pmis);
        h.Vcpu.GuestEmulate(1, 0);
        Assert.AreEqual(0UL, h.Pmu.View().Counters[2]);
        Assert.AreEqual(1UL << 2, h.Pmu.View().GlobalStatus);
        Assert.AreEqual(1, h.Vm.Metrics.Pmis, "KVM_REQ_PMI, injected at the next entry");
    }

    [TestMethod]
    public void The_fastpath_bails_out_when_a_counter_counts_instructions()
    {
        var h = new MediatedHarness(MediatedHarness.IntelHost);
        h.Vcpu.GuestExits(3, 0);
        Assert.AreEqual(0L, h.Pmu.Puts);
        Assert.IsTrue(h.Pmu.FastpathEmulationAllowed());

        h.GuestCountInstructions(0);
        Assert.IsFalse(h.Pmu.FastpathEmulationAllowed());
        long puts = h.Pmu.Puts;
        h.Vcpu.GuestExits(3, 0);
        Assert.AreEqual(puts + 3, h.Pmu.Puts, "bailed-out exits take the full path and switch");
        Assert.AreEqual(3UL + 1, h.Pmu.View().Counters[0], "each bailed-out exit still counts its instruction (+1 for the enabling WRMSR)");
    }

    [TestMethod]
    public void Fixed_counter_zero_also_blocks_the_fastpath()
    {
        var h = new MediatedHarness(MediatedHarness.IntelHost);
        Assert.IsFalse(h.Vcpu.GuestWrmsr(Ia32FixedCtrCtrl.Address, 0x3).Faulted);
        Assert.IsTrue(h.Pmu.FastpathEmulationAllowed(), "not globally enabled yet");
        Assert.IsFalse(h.Vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 1UL << 32).Faulted);
        Assert.IsFalse(h.Pmu.FastpathEmulationAllowed());
        long puts = h.Pmu.Puts;
        h.Vcpu.GuestExits(1, 0);
        Assert.AreEqual(puts + 1, h.Pmu.Puts, "the fastpath exit bailed out");
        // Fixed counter 0 counts the GLOBAL_CTRL WRMSR that enabled it and the bailed-out exit's instruction.
        h.Vcpu.ExitToUserspace();
        Assert.AreEqual(2UL, h.Pmu.View().FixedCounters[0]);
    }

    [TestMethod]
    [DataRow("exit")]
    [DataRow("run-loop")]
    [DataRow("vcpu-load")]
    [DataRow("dirty-only")]
    public void Host_events_are_out_while_guest_state_is_loaded_and_count_only_host_work(string placement)
    {
        var h = new MediatedHarness(MediatedHarness.IntelHost, placement);
        var ev = h.OpenHostInstructions("host", disabled: false);
        for (int i = 0; i < 5; i++)
        {
            h.GuestRun(instructions: 5_000);
            Assert.AreNotEqual(PerfEventState.Active, ev.State, "never counting while the guest runs");
            h.Vcpu.GuestExits(3, 1);
            h.HostRun(700);
            Assert.AreEqual(PerfEventState.Active, ev.State, "back once the vCPU task left KVM_RUN");
        }

        Assert.AreEqual(5UL * 700, h.Perf.Read(ev));
        h.Perf.ReadValue(ev, out ulong enabled, out ulong running);
        Assert.AreEqual(enabled, running, "no multiplexing here: running whenever enabled");
    }
}
