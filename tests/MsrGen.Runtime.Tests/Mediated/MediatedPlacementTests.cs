using MsrGen.Registers;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.Tests.Mediated;

/// <summary>Where each placement switches, PMI routing, emulated counting and the fastpath bail-out.</summary>
[TestClass]
public sealed class MediatedPlacementTests
{
    [TestMethod]
    [DataRow(SwitchPlacement.Exit, 10L, 10L)]
    [DataRow(SwitchPlacement.RunLoop, 1L, 0L)]
    [DataRow(SwitchPlacement.VcpuLoad, 1L, 0L)]
    [DataRow(SwitchPlacement.Owned, 1L, 0L)]
    [DataRow(SwitchPlacement.DirtyOnly, 1L, 0L)]
    public void Fastpath_exits_switch_only_under_the_exit_placement(SwitchPlacement placement, long loads, long puts)
    {
        var rig = new MediatedRig(MediatedRig.IntelHost, placement);
        rig.Vcpu.GuestExits(10, ExitKind.Fastpath);
        Assert.AreEqual(loads, rig.Pmu.Loads);
        Assert.AreEqual(puts, rig.Pmu.Puts);
        Assert.AreEqual(10, rig.Vcpu.FastpathExits);
    }

    [TestMethod]
    [DataRow(SwitchPlacement.Exit, 5L)]
    [DataRow(SwitchPlacement.RunLoop, 5L)]
    [DataRow(SwitchPlacement.VcpuLoad, 0L)]
    [DataRow(SwitchPlacement.Owned, 0L)]
    [DataRow(SwitchPlacement.DirtyOnly, 5L)]
    public void Slow_exits_put_except_under_vcpu_load_and_owned(SwitchPlacement placement, long puts)
    {
        var rig = new MediatedRig(MediatedRig.IntelHost, placement);
        rig.Vcpu.GuestExits(5, ExitKind.Slow);
        Assert.AreEqual(puts, rig.Pmu.Puts);
        rig.Vcpu.SchedOut();
        Assert.AreEqual(placement == SwitchPlacement.VcpuLoad ? 1L : puts, rig.Pmu.Puts, "vcpu-load puts at sched-out; owned never does");
    }

    [TestMethod]
    public void Owned_blinds_host_perf_for_all_host_time_and_run_loop_only_inside_the_loop()
    {
        var owned = new MediatedRig(MediatedRig.IntelHost, SwitchPlacement.Owned);
        var runLoop = new MediatedRig(MediatedRig.IntelHost, SwitchPlacement.RunLoop);
        var blindDuringHostWork = new ulong[2];
        int k = 0;
        foreach (var rig in new[] { owned, runLoop })
        {
            var ev = rig.Perf.Open("host-instr", PmuEventSelect.Events.Instructions);
            rig.Perf.Enable(ev);
            rig.Vcpu.GuestExits(20, ExitKind.Fastpath);
            rig.Vcpu.GuestExits(5, ExitKind.Slow);
            rig.Vcpu.ReturnToUserspace();
            ulong before = rig.Vcpu.HostBlindCycles;
            rig.Vcpu.RunHost(cycles: 10_000, instructions: 3000);
            blindDuringHostWork[k++] = rig.Vcpu.HostBlindCycles - before;
        }

        Assert.AreEqual(10_000UL, blindDuringHostWork[0], "owned: even plain host work is invisible to host perf");
        Assert.AreEqual(0UL, owned.Perf.Read(owned.Perf.Events[0]));
        Assert.AreEqual(0UL, blindDuringHostWork[1]);
        Assert.AreEqual(3000UL, runLoop.Perf.Read(runLoop.Perf.Events[0]));
        Assert.IsTrue(runLoop.Vcpu.HostBlindCycles >= 20 * runLoop.Vcpu.Costs[MsrGen.Runtime.Cost.CostTable.VmExitFastpath], "run-loop: blind in the fastpath loop");
    }

    [TestMethod]
    public void Dirty_only_moves_far_fewer_registers_than_run_loop_for_an_idle_pmu_guest()
    {
        var dirty = new MediatedRig(MediatedRig.IntelHost, SwitchPlacement.DirtyOnly);
        var runLoop = new MediatedRig(MediatedRig.IntelHost, SwitchPlacement.RunLoop);
        long SteadyOpsPer100Exits(MediatedRig rig)
        {
            rig.Vcpu.GuestExits(1, ExitKind.Slow);
            var before = rig.Access.Counts;
            rig.Vcpu.GuestExits(100, ExitKind.Slow);
            return (rig.Access.Counts - before).Total;
        }

        long dirtyOps = SteadyOpsPer100Exits(dirty);
        long runLoopOps = SteadyOpsPer100Exits(runLoop);
        Assert.AreEqual(0L, dirtyOps, "nothing was touched, nothing moves");
        Assert.IsTrue(runLoopOps > 20L * 100, $"run-loop reads and writes every counter each time ({runLoopOps})");
    }

    [TestMethod]
    public void A_guest_overflow_arrives_on_0xF5_exits_and_is_injected_through_the_guest_lvtpc()
    {
        var rig = new MediatedRig(MediatedRig.IntelHost);
        rig.Pmu.WriteGuestLvtpc(0xEE); // guest vector 0xEE, unmasked
        rig.GuestCountInstructions(0, interrupt: true);
        Assert.AreEqual(MsrAccessResult.Ok, rig.Vcpu.GuestWrmsr(Ia32APmc.AddressOf(0), rig.Guest.GpCounterMask - 99)); // 100 to overflow
        long exitsBefore = rig.Vcpu.Exits;

        rig.Vcpu.RunGuest(cycles: 1000, instructions: 150);

        Assert.AreEqual(1, rig.Pmu.MediatedPmisReceived, "the 0xF5 interrupt reached KVM");
        Assert.AreEqual(exitsBefore + 1, rig.Vcpu.Exits, "it caused a VM-exit");
        Assert.AreEqual(0, rig.Vcpu.HostPmis, "host perf never saw it");
        Assert.IsTrue(rig.Pmu.PmiRequested);
        rig.Vcpu.Entry();
        Assert.AreEqual(1, rig.Pmu.PmisInjected);
        Assert.IsTrue(LvtpcValues.IsMasked(rig.Pmu.GuestLvtpc), "Intel-compatible LVTPC masks on delivery");
        Assert.AreEqual(1UL, rig.Pmu.View().GlobalStatus & 1, "overflow status kept for the guest");
    }

    [TestMethod]
    public void A_masked_guest_lvtpc_swallows_the_pmi()
    {
        var rig = new MediatedRig(MediatedRig.AmdHost);
        rig.GuestCountInstructions(0, interrupt: true);
        rig.Vcpu.GuestWrmsr(MsrF15hPerfCtr.AddressOf(0), rig.Guest.GpCounterMask - 9);
        rig.Vcpu.RunGuest(cycles: 100, instructions: 20);
        Assert.AreEqual(0, rig.Pmu.MediatedPmisReceived, "LVTPC on the host was masked like the guest's: no interrupt");
        Assert.AreEqual(0, rig.Pmu.PmisInjected);
        rig.Vcpu.ReturnToUserspace();
        Assert.AreEqual(1UL, rig.Pmu.View().GlobalStatus & 1, "the overflow is still recorded");
    }

    [TestMethod]
    public void A_host_event_overflow_in_host_mode_goes_to_host_perf_as_an_nmi()
    {
        var rig = new MediatedRig(MediatedRig.IntelHost);
        var ev = rig.Perf.Open("host", PmuEventSelect.Events.Instructions);
        rig.Perf.Enable(ev);
        rig.Cpu.WriteMsr(Ia32Perfevtsel.AddressOf(ev.Counter), PmuEventSelect.Counting(PmuEventSelect.Events.Instructions, interrupt: true));
        rig.Cpu.WriteMsr(Ia32APmc.AddressOf(ev.Counter), rig.Cpu.Caps.GpCounterMask);
        rig.Vcpu.RunHost(cycles: 10, instructions: 2);
        Assert.AreEqual(1, rig.Vcpu.HostPmis);
        Assert.AreEqual(0, rig.Pmu.MediatedPmisReceived);
    }

    [TestMethod]
    public void Emulated_instructions_count_and_overflow_into_status_and_a_pmi_request()
    {
        var rig = new MediatedRig(MediatedRig.IntelHost);
        rig.GuestCountInstructions(2, interrupt: true);
        Assert.AreEqual(MsrAccessResult.Ok, rig.Vcpu.GuestWrmsr(Ia32APmc.AddressOf(2), rig.Guest.GpCounterMask - 2));
        // The WRMSR of the counter was passed through (no emulation); now three slow exits.
        rig.Vcpu.GuestExits(2, ExitKind.Slow);
        Assert.AreEqual(rig.Guest.GpCounterMask, rig.Pmu.View().Counters[2]);
        Assert.IsFalse(rig.Pmu.PmiRequested);
        rig.Vcpu.GuestExits(1, ExitKind.Slow);
        Assert.AreEqual(0UL, rig.Pmu.View().Counters[2]);
        Assert.AreEqual(1UL << 2, rig.Pmu.View().GlobalStatus);
        Assert.IsTrue(rig.Pmu.PmiRequested);
    }

    [TestMethod]
    public void The_fastpath_bails_out_when_a_counter_counts_instructions()
    {
        var rig = new MediatedRig(MediatedRig.IntelHost);
        rig.Vcpu.GuestExits(3, ExitKind.Fastpath);
        Assert.AreEqual(0, rig.Vcpu.FastpathBailouts);
        Assert.IsTrue(rig.Pmu.FastpathEmulationAllowed());

        rig.GuestCountInstructions(0);
        Assert.IsFalse(rig.Pmu.FastpathEmulationAllowed());
        long puts = rig.Pmu.Puts;
        rig.Vcpu.GuestExits(3, ExitKind.Fastpath);
        Assert.AreEqual(3, rig.Vcpu.FastpathBailouts);
        Assert.AreEqual(puts + 3, rig.Pmu.Puts, "bailed-out exits leave the inner loop and switch");
        Assert.AreEqual(3UL + 1, rig.Pmu.View().Counters[0], "each bailed-out exit still counts its instruction (+1 for the enabling WRMSR)");
    }

    [TestMethod]
    public void Fixed_counter_zero_also_blocks_the_fastpath()
    {
        var rig = new MediatedRig(MediatedRig.IntelHost);
        Assert.AreEqual(MsrAccessResult.Ok, rig.Vcpu.GuestWrmsr(Ia32FixedCtrCtrl.Address, 0x3));
        Assert.IsTrue(rig.Pmu.FastpathEmulationAllowed(), "not globally enabled yet");
        Assert.AreEqual(MsrAccessResult.Ok, rig.Vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 1UL << 32));
        rig.Vcpu.Exit(ExitKind.Fastpath);
        Assert.IsFalse(rig.Pmu.FastpathEmulationAllowed());
    }

    [TestMethod]
    [DataRow(SwitchPlacement.Exit)]
    [DataRow(SwitchPlacement.RunLoop)]
    [DataRow(SwitchPlacement.VcpuLoad)]
    [DataRow(SwitchPlacement.DirtyOnly)]
    public void Host_events_are_out_while_guest_state_is_loaded_and_their_enabled_time_excludes_it(SwitchPlacement placement)
    {
        var rig = new MediatedRig(MediatedRig.IntelHost, placement);
        var ev = rig.Perf.Open("host", PmuEventSelect.Events.Instructions);
        rig.Perf.Enable(ev);
        for (int i = 0; i < 5; i++)
        {
            rig.Vcpu.RunGuest(cycles: 10_000, instructions: 5_000);
            Assert.IsFalse(ev.Active, "never counting while the guest runs");
            rig.Vcpu.GuestExits(3, ExitKind.Fastpath);
            rig.Vcpu.GuestExits(1, ExitKind.Slow);
            rig.Vcpu.RunHost(cycles: 2_000, instructions: 700);
        }

        var v = rig.Vcpu;
        Assert.AreEqual(v.Cycles - v.GuestCycles - v.HostBlindCycles, ev.TimeEnabled, "enabled time = host time outside guest context");
        Assert.AreEqual(ev.TimeEnabled, ev.TimeRunning, "no multiplexing here: running whenever enabled");
        Assert.AreEqual(5UL * 700, rig.Perf.Read(ev));
        Assert.IsTrue(v.GuestCycles >= 50_000 && ev.TimeEnabled < v.Cycles - 50_000);
    }
}
