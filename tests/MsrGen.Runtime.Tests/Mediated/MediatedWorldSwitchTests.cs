using System.Collections.Generic;
using System.Linq;
using MsrGen.Registers;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Kvm;

namespace MsrGen.Runtime.Tests.Mediated;

/// <summary>Load and put in KVM's order (arch/x86/kvm/pmu.c kvm_mediated_pmu_load/put; vcpu_enter_guest() in arch/x86/kvm/x86.c), checked op by op on the trace of the runtime's physical PMU.</summary>
[TestClass]
public sealed class MediatedWorldSwitchTests
{
    private static PmuCaps SmallIntel => MediatedHarness.IntelHost with { GpCounters = 2, FixedCounters = 1 };
    private static PmuCaps SmallAmd => MediatedHarness.AmdHost with { GpCounters = 2 };

    private static PmuAccessRecord W(uint a, ulong v) => new(PmuOp.Wrmsr, a, v);
    private static PmuAccessRecord R(uint a, ulong v) => new(PmuOp.Rdmsr, a, v);
    private static PmuAccessRecord P(uint ecx, ulong v) => new(PmuOp.Rdpmc, ecx, v);
    private static PmuAccessRecord L(uint v) => new(PmuOp.LvtpcWrite, 0, v);

    /// <summary>A small host and a mediated vCPU on it, with the switch's physical accesses traced.</summary>
    private static MediatedHarness Traced(PmuCaps host, string placement = "run-loop")
    {
        var h = new MediatedHarness(host, placement);
        h.Pmu.Hardware.Trace = new List<PmuAccessRecord>();
        return h;
    }

    private static ulong Hw(MediatedHarness h, uint address)
    {
        Assert.AreEqual(MsrAccessResult.Ok, h.Cpu.ReadMsr(address, out ulong value));
        return value;
    }

    private static void AssertTrace(IEnumerable<PmuAccessRecord> expected, List<PmuAccessRecord> actual) =>
        CollectionAssert.AreEqual(expected.ToList(), actual, "\nexpected:\n  " + string.Join("\n  ", expected) + "\nactual:\n  " + string.Join("\n  ", actual));

    [TestMethod]
    public void Intel_load_is_in_kvm_order_and_skips_counter_writes_that_already_match()
    {
        var rig = Traced(SmallIntel);
        var pmu = rig.Pmu;
        // Guest state set through KVM's intercepted path before the first load: PMC1 = 5,
        // EVTSEL0 counting, status bit 1 pending, fixed 0 enabled for OS.
        Assert.AreEqual(MsrAccessResult.Ok, pmu.HandleWrmsr(Ia32Pmc.AddressOf(1), 5));
        ulong sel = PmuEventSelect.Counting(PmuEventSelect.Events.Instructions, interrupt: true);
        Assert.AreEqual(MsrAccessResult.Ok, pmu.HandleWrmsr(Ia32Perfevtsel.AddressOf(0), sel));
        Assert.AreEqual(MsrAccessResult.Ok, pmu.HandleWrmsr(Ia32FixedCtrCtrl.Address, 0x1));
        SetGuestStatus(pmu, 0b10);
        rig.Pmu.Hardware.Trace!.Clear();

        pmu.Load();

        uint lvtpc = LvtpcValues.GuestLoaded(LvtpcValues.Masked);
        AssertTrace(new[]
        {
            W(Ia32PerfGlobalCtrl.Address, 0),
            L(lvtpc),
            P(0, 0), W(Ia32Perfevtsel.AddressOf(0), sel),
            P(1, 0), W(Ia32APmc.AddressOf(1), 5), W(Ia32Perfevtsel.AddressOf(1), 0),
            P(PhysicalPmu.RdpmcFixed | 0, 0),
            R(Ia32PerfGlobalStatus.Address, 0b01),
            W(Ia32PerfGlobalOvfCtrl.Address, 0b01),
            W(Ia32PerfGlobalStatusSet.Address, 0b10),
            W(Ia32FixedCtrCtrl.Address, 0x1),
        }, rig.Pmu.Hardware.Trace);
        Assert.AreEqual(0b10UL, Hw(rig, Ia32PerfGlobalStatus.Address));
        Assert.AreEqual(0x100F5u, lvtpc, "fixed delivery, vector 0xF5, masked like the guest's");
    }

    [TestMethod]
    public void Intel_put_is_in_kvm_order_and_saves_everything()
    {
        var rig = Traced(SmallIntel);
        var pmu = rig.Pmu;
        pmu.HandleWrmsr(Ia32FixedCtrCtrl.Address, 0x3);
        pmu.HandleWrmsr(Ia32Perfevtsel.AddressOf(1), PmuEventSelect.Counting(PmuEventSelect.Events.Branches, false));
        pmu.Load();
        pmu.OnVmEntry();
        Assert.AreEqual(MsrAccessResult.Ok, rig.Cpu.WriteMsr(Ia32APmc.AddressOf(1), 77));     // the guest's own writes and counting
        Assert.AreEqual(MsrAccessResult.Ok, rig.Cpu.WriteMsr(Ia32FixedCtr.AddressOf(0), 9));
        Assert.AreEqual(MsrAccessResult.Ok, rig.Cpu.WriteMsr(Ia32PerfGlobalStatusSet.Address, 0b10));
        pmu.OnVmExit();
        rig.Pmu.Hardware.Trace!.Clear();

        pmu.Put();

        AssertTrace(new[]
        {
            R(Ia32PerfGlobalStatus.Address, 0b10),
            W(Ia32PerfGlobalOvfCtrl.Address, 0b10),
            W(Ia32FixedCtrCtrl.Address, 0),
            P(0, 0),
            P(1, 77), W(Ia32APmc.AddressOf(1), 0), W(Ia32Perfevtsel.AddressOf(1), 0),
            P(PhysicalPmu.RdpmcFixed | 0, 9), W(Ia32FixedCtr.AddressOf(0), 0),
            L(LvtpcValues.DeliveryNmi),
        }, rig.Pmu.Hardware.Trace);

        var view = pmu.View();
        Assert.AreEqual(77UL, view.Counters[1]);
        Assert.AreEqual(9UL, view.FixedCounters[0]);
        Assert.AreEqual(0b10UL, view.GlobalStatus);
        Assert.AreEqual(0UL, Hw(rig, Ia32PerfGlobalStatus.Address), "hardware handed back clean");
        Assert.AreEqual(0UL, Hw(rig, Ia32APmc.AddressOf(1)));
    }

    [TestMethod]
    public void Amd_load_clears_then_sets_status_and_writes_global_ctl_and_put_reverses()
    {
        var rig = Traced(SmallAmd);
        var pmu = rig.Pmu;
        Assert.AreEqual(MsrAccessResult.Ok, rig.Cpu.WriteMsr(MsrAmd64PerfCntrGlobalStatusSet.Address, 0b01));
        pmu.HandleWrmsr(MsrAmd64PerfCntrGlobalStatusSet.Address, 0b10);
        rig.Pmu.Hardware.Trace!.Clear();

        pmu.Load();
        ulong hw0 = PmuEventSelect.AmdGuestOnly; // the guest wrote nothing: GuestOnly is still forced
        AssertTrace(new[]
        {
            W(MsrAmd64PerfCntrGlobalCtl.Address, 0),
            L(LvtpcValues.GuestLoaded(LvtpcValues.Masked)),
            P(0, 0), W(MsrF15hPerfCtl.AddressOf(0), hw0),
            P(1, 0), W(MsrF15hPerfCtl.AddressOf(1), hw0),
            R(MsrAmd64PerfCntrGlobalStatus.Address, 0b01),
            W(MsrAmd64PerfCntrGlobalStatusClr.Address, 0b01),
            W(MsrAmd64PerfCntrGlobalStatusSet.Address, 0b10),
            W(MsrAmd64PerfCntrGlobalCtl.Address, 0b11),
        }, rig.Pmu.Hardware.Trace);

        pmu.OnVmEntry();
        pmu.OnVmExit();
        rig.Pmu.Hardware.Trace.Clear();
        pmu.Put();
        AssertTrace(new[]
        {
            W(MsrAmd64PerfCntrGlobalCtl.Address, 0),
            R(MsrAmd64PerfCntrGlobalStatus.Address, 0b10),
            W(MsrAmd64PerfCntrGlobalStatusClr.Address, 0b10),
            P(0, 0), W(MsrF15hPerfCtl.AddressOf(0), 0),
            P(1, 0), W(MsrF15hPerfCtl.AddressOf(1), 0),
            L(LvtpcValues.DeliveryNmi),
        }, rig.Pmu.Hardware.Trace);
    }

    [TestMethod]
    public void Intel_global_ctrl_moves_with_the_vmcs_controls_not_wrmsr()
    {
        var rig = Traced(SmallIntel);
        rig.Vcpu.EnterGuest();
        Assert.AreEqual(0b11UL, Hw(rig, Ia32PerfGlobalCtrl.Address), "reset GLOBAL_CTRL = GENMASK(nr_gp-1, 0) loaded by VM-entry");
        Assert.IsFalse(rig.Vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 0x1_0000_0001).Faulted, "passed through");
        Assert.AreEqual(0x1_0000_0001UL, Hw(rig, Ia32PerfGlobalCtrl.Address));
        rig.Vcpu.ExitToUserspace();
        Assert.AreEqual(0UL, Hw(rig, Ia32PerfGlobalCtrl.Address), "VM-exit loads the host value 0 (no host events)");
        Assert.AreEqual(0x1_0000_0001UL, rig.Pmu.View().GlobalCtrl, "and KVM kept the guest's value from the VMCS");
        Assert.IsFalse(rig.Pmu.Hardware.Trace!.Any(r => r.Op == PmuOp.Wrmsr && r.Address == Ia32PerfGlobalCtrl.Address && r.Value != 0), "never a WRMSR of the guest value");
    }

    [TestMethod]
    public void Event_filter_clears_enable_in_hardware_while_the_guest_reads_what_it_wrote()
    {
        var rig = new MediatedHarness(SmallIntel);
        Assert.AreEqual(PerfError.None, rig.Vm.SetEventFilter(PmuFilterAction.Deny, new[] { PmuEventSelect.Events.Instructions }, fixedBitmap: 0b1, masked: false));
        ulong sel = PmuEventSelect.Counting(PmuEventSelect.Events.Instructions, false);
        Assert.IsFalse(rig.Vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(0), sel).Faulted);
        Assert.IsFalse(rig.Vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(1), PmuEventSelect.Counting(PmuEventSelect.Events.Branches, false)).Faulted);
        Assert.IsFalse(rig.Vcpu.GuestWrmsr(Ia32FixedCtrCtrl.Address, 0x3).Faulted);
        Assert.IsFalse(rig.Vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 0x1_0000_0003).Faulted);
        var back = rig.Vcpu.GuestRdmsr(Ia32Perfevtsel.AddressOf(0));
        Assert.IsFalse(back.Faulted);
        Assert.AreEqual(sel, back.Value);
        Assert.IsFalse(PmuEventSelect.IsEnabled(rig.Pmu.EventSelectHw(0)));
        Assert.AreEqual(sel & ~PmuEventSelect.EnableBit, rig.Pmu.EventSelectHw(0));
        Assert.AreEqual(0UL, rig.Pmu.FixedCtrCtrlHw, "denied fixed counter: its whole field is cleared");

        rig.GuestRun(instructions: 500, branches: 50);
        rig.Vcpu.ExitToUserspace();
        Assert.AreEqual(0UL, rig.Pmu.View().Counters[0], "the filtered counter does not count");
        Assert.AreEqual(50UL, rig.Pmu.View().Counters[1], "an allowed event counts");
        Assert.AreEqual(0UL, rig.Pmu.View().FixedCounters[0]);
    }

    [TestMethod]
    public void Amd_event_selects_are_programmed_guest_only()
    {
        var rig = new MediatedHarness(SmallAmd, "dirty-only");
        ulong sel = PmuEventSelect.Counting(PmuEventSelect.Events.Instructions, false) | PmuEventSelect.AmdHostOnly;
        Assert.IsFalse(rig.Vcpu.GuestWrmsr(MsrF15hPerfCtl.AddressOf(0), sel).Faulted);
        ulong hw = rig.Pmu.EventSelectHw(0);
        Assert.AreNotEqual(0UL, hw & PmuEventSelect.AmdGuestOnly);
        Assert.AreEqual(0UL, hw & PmuEventSelect.AmdHostOnly);
        rig.GuestRun(instructions: 40);
        rig.HostRun(1000);
        Assert.IsTrue(rig.Pmu.AnyResident, "dirty-only left the guest's counter in hardware while the host ran");
        // 1 for the enabling WRMSR (emulated, counted after it took effect) + 40 native guest
        // instructions; none of the host's 1000.
        Assert.AreEqual(41UL, rig.Pmu.View().Counters[0]);
    }

    [TestMethod]
    public void Illegal_guest_accesses_are_a_gp_in_the_guest_not_an_exception()
    {
        var rig = new MediatedHarness(SmallIntel);
        Assert.IsTrue(rig.Vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(0), 1UL << 63).Faulted, "reserved bit");
        Assert.IsTrue(rig.Vcpu.GuestWrmsr(Ia32FixedCtrCtrl.Address, 0x4).Faulted, "AnyThread");
        Assert.IsTrue(rig.Vcpu.GuestWrmsr(Ia32PerfGlobalStatusSet.Address, 1).Faulted);
        Assert.IsTrue(rig.Vcpu.GuestWrmsr(Ia32PerfCapabilities.Address, 0).Faulted);
        Assert.IsTrue(rig.Vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(5), 0).Faulted, "beyond the guest's counters");
        Assert.IsFalse(rig.Vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(0), 0x43_00C0).Faulted);
        Assert.IsTrue(rig.Vcpu.GuestRdpmc(9).Faulted);
        // Passed-through registers: the hardware's own checks give the #GP, with no exit.
        long exits = rig.Vm.Metrics.Exits;
        Assert.IsTrue(rig.Vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 1UL << 40).Faulted, "reserved GLOBAL_CTRL bit");
        Assert.IsTrue(rig.Vcpu.GuestWrmsr(Ia32APmc.AddressOf(0), 1UL << 50).Faulted, "above the counter width");
        Assert.IsFalse(rig.Vcpu.GuestWrmsr(Ia32Pmc.AddressOf(0), ulong.MaxValue).Faulted, "the legacy alias sign-extends instead");
        Assert.AreEqual(exits, rig.Vm.Metrics.Exits);
    }

    private static void SetGuestStatus(MediatedVpmu pmu, ulong bits)
    {
        // The guest's saved status is only reachable through a round trip: load, let hardware
        // carry the bits, put.
        pmu.Load();
        pmu.Hardware.Hardware.WriteMsr(Ia32PerfGlobalOvfCtrl.Address, ulong.MaxValue);
        pmu.Hardware.Hardware.WriteMsr(Ia32PerfGlobalStatusSet.Address, bits);
        pmu.Put();
        pmu.Hardware.Hardware.WriteMsr(Ia32PerfGlobalStatusSet.Address, 0b01);
    }
}
