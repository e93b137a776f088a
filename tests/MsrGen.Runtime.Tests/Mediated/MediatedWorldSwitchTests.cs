using System.Collections.Generic;
using System.Linq;
using MsrGen.Registers;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.Tests.Mediated;

/// <summary>Load and put in KVM's order (arch/x86/kvm/pmu.c kvm_mediated_pmu_load/put; vcpu_enter_guest() in arch/x86/kvm/x86.c), checked op by op on the trace.</summary>
[TestClass]
public sealed class MediatedWorldSwitchTests
{
    private static PmuCaps SmallIntel => MediatedRig.IntelHost with { GpCounters = 2, FixedCounters = 1 };
    private static PmuCaps SmallAmd => MediatedRig.AmdHost with { GpCounters = 2 };

    private static PmuAccessRecord W(uint a, ulong v) => new(PmuOp.Wrmsr, a, v);
    private static PmuAccessRecord R(uint a, ulong v) => new(PmuOp.Rdmsr, a, v);
    private static PmuAccessRecord P(uint ecx, ulong v) => new(PmuOp.Rdpmc, ecx, v);
    private static PmuAccessRecord L(uint v) => new(PmuOp.LvtpcWrite, 0, v);

    private static void AssertTrace(IEnumerable<PmuAccessRecord> expected, List<PmuAccessRecord> actual) =>
        CollectionAssert.AreEqual(expected.ToList(), actual, "\nexpected:\n  " + string.Join("\n  ", expected) + "\nactual:\n  " + string.Join("\n  ", actual));

    [TestMethod]
    public void Intel_load_is_in_kvm_order_and_skips_counter_writes_that_already_match()
    {
        var rig = new MediatedRig(SmallIntel, trace: true);
        var pmu = rig.Pmu;
        // Guest state set through KVM's intercepted path before the first load: PMC1 = 5,
        // EVTSEL0 counting, status bit 1 pending, fixed 0 enabled for OS.
        Assert.AreEqual(MsrAccessResult.Ok, pmu.HandleWrmsr(Ia32Pmc.AddressOf(1), 5));
        ulong sel = PmuEventSelect.Counting(PmuEventSelect.Events.Instructions, interrupt: true);
        Assert.AreEqual(MsrAccessResult.Ok, pmu.HandleWrmsr(Ia32Perfevtsel.AddressOf(0), sel));
        Assert.AreEqual(MsrAccessResult.Ok, pmu.HandleWrmsr(Ia32FixedCtrCtrl.Address, 0x1));
        SetGuestStatus(pmu, 0b10);
        rig.Access.Trace!.Clear();

        pmu.Load();

        uint lvtpc = LvtpcValues.GuestLoaded(LvtpcValues.Masked);
        AssertTrace(new[]
        {
            W(Ia32PerfGlobalCtrl.Address, 0),
            L(lvtpc),
            P(0, 0), W(Ia32Perfevtsel.AddressOf(0), sel),
            P(1, 0), W(Ia32APmc.AddressOf(1), 5), W(Ia32Perfevtsel.AddressOf(1), 0),
            P(RegisterFilePmu.FixedRdpmcBase | 0, 0),
            R(Ia32PerfGlobalStatus.Address, 0b01),
            W(Ia32PerfGlobalOvfCtrl.Address, 0b01),
            W(Ia32PerfGlobalStatusSet.Address, 0b10),
            W(Ia32FixedCtrCtrl.Address, 0x1),
        }, rig.Access.Trace);
        Assert.AreEqual(0b10UL, rig.Cpu.GlobalStatus);
        Assert.AreEqual(0x100F5u, lvtpc, "fixed delivery, vector 0xF5, masked like the guest's");
    }

    [TestMethod]
    public void Intel_put_is_in_kvm_order_and_saves_everything()
    {
        var rig = new MediatedRig(SmallIntel, trace: true);
        var pmu = rig.Pmu;
        pmu.HandleWrmsr(Ia32FixedCtrCtrl.Address, 0x3);
        pmu.HandleWrmsr(Ia32Perfevtsel.AddressOf(1), PmuEventSelect.Counting(PmuEventSelect.Events.Branches, false));
        pmu.Load();
        pmu.OnVmEntry();
        rig.Cpu.WriteMsr(Ia32APmc.AddressOf(1), 77);     // the guest's own writes and counting
        rig.Cpu.WriteMsr(Ia32FixedCtr.AddressOf(0), 9);
        rig.Cpu.WriteMsr(Ia32PerfGlobalStatusSet.Address, 0b10);
        pmu.OnVmExit();
        rig.Access.Trace!.Clear();

        pmu.Put();

        AssertTrace(new[]
        {
            R(Ia32PerfGlobalStatus.Address, 0b10),
            W(Ia32PerfGlobalOvfCtrl.Address, 0b10),
            W(Ia32FixedCtrCtrl.Address, 0),
            P(0, 0),
            P(1, 77), W(Ia32APmc.AddressOf(1), 0), W(Ia32Perfevtsel.AddressOf(1), 0),
            P(RegisterFilePmu.FixedRdpmcBase | 0, 9), W(Ia32FixedCtr.AddressOf(0), 0),
            L(LvtpcValues.DeliveryNmi),
        }, rig.Access.Trace);

        var view = pmu.View();
        Assert.AreEqual(77UL, view.Counters[1]);
        Assert.AreEqual(9UL, view.FixedCounters[0]);
        Assert.AreEqual(0b10UL, view.GlobalStatus);
        Assert.AreEqual(0UL, rig.Cpu.GlobalStatus, "hardware handed back clean");
        Assert.AreEqual(0UL, rig.Cpu.GpCounter(1));
    }

    [TestMethod]
    public void Amd_load_clears_then_sets_status_and_writes_global_ctl_and_put_reverses()
    {
        var rig = new MediatedRig(SmallAmd, trace: true);
        var pmu = rig.Pmu;
        rig.Cpu.WriteMsr(MsrAmd64PerfCntrGlobalStatusSet.Address, 0b01);
        pmu.HandleWrmsr(MsrAmd64PerfCntrGlobalStatusSet.Address, 0b10);
        rig.Access.Trace!.Clear();

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
        }, rig.Access.Trace);

        pmu.OnVmEntry();
        pmu.OnVmExit();
        rig.Access.Trace.Clear();
        pmu.Put();
        AssertTrace(new[]
        {
            W(MsrAmd64PerfCntrGlobalCtl.Address, 0),
            R(MsrAmd64PerfCntrGlobalStatus.Address, 0b10),
            W(MsrAmd64PerfCntrGlobalStatusClr.Address, 0b10),
            P(0, 0), W(MsrF15hPerfCtl.AddressOf(0), 0),
            P(1, 0), W(MsrF15hPerfCtl.AddressOf(1), 0),
            L(LvtpcValues.DeliveryNmi),
        }, rig.Access.Trace);
    }

    [TestMethod]
    public void Intel_global_ctrl_moves_with_the_vmcs_controls_not_wrmsr()
    {
        var rig = new MediatedRig(SmallIntel, trace: true);
        rig.Vcpu.Entry();
        Assert.AreEqual(0b11UL, rig.Cpu.GlobalCtrl, "reset GLOBAL_CTRL = GENMASK(nr_gp-1, 0) loaded by VM-entry");
        Assert.AreEqual(MsrAccessResult.Ok, rig.Vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 0x1_0000_0001), "passed through");
        Assert.AreEqual(0x1_0000_0001UL, rig.Cpu.GlobalCtrl);
        rig.Vcpu.Exit(ExitKind.Fastpath);
        Assert.AreEqual(0UL, rig.Cpu.GlobalCtrl, "VM-exit loads the host value 0");
        Assert.AreEqual(0x1_0000_0001UL, rig.Pmu.View().GlobalCtrl, "and KVM refreshed global_ctrl from the VMCS");
        Assert.IsTrue(rig.Access.Trace!.Any(r => r.Op == PmuOp.VmcsGlobalCtrl));
        Assert.IsFalse(rig.Access.Trace!.Any(r => r.Op == PmuOp.Wrmsr && r.Address == Ia32PerfGlobalCtrl.Address && r.Value != 0), "never a WRMSR of the guest value");
    }

    [TestMethod]
    public void Event_filter_clears_enable_in_hardware_while_the_guest_reads_what_it_wrote()
    {
        var rig = new MediatedRig(SmallIntel);
        rig.Pmu.SetEventFilter(new MediatedEventFilter(allow: false, new[] { PmuEventSelect.Events.Instructions }, fixedCounterBitmap: 0b1));
        ulong sel = PmuEventSelect.Counting(PmuEventSelect.Events.Instructions, false);
        Assert.AreEqual(MsrAccessResult.Ok, rig.Vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(0), sel));
        Assert.AreEqual(MsrAccessResult.Ok, rig.Vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(1), PmuEventSelect.Counting(PmuEventSelect.Events.Branches, false)));
        Assert.AreEqual(MsrAccessResult.Ok, rig.Vcpu.GuestWrmsr(Ia32FixedCtrCtrl.Address, 0x3));
        Assert.AreEqual(MsrAccessResult.Ok, rig.Vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 0x1_0000_0003));
        Assert.AreEqual(MsrAccessResult.Ok, rig.Vcpu.GuestRdmsr(Ia32Perfevtsel.AddressOf(0), out ulong back));
        Assert.AreEqual(sel, back);
        Assert.IsFalse(PmuEventSelect.IsEnabled(rig.Pmu.EventSelectHw(0)));
        Assert.AreEqual(sel & ~PmuEventSelect.EnableBit, rig.Pmu.EventSelectHw(0));
        Assert.AreEqual(0UL, rig.Pmu.FixedCtrCtrlHw, "denied fixed counter: its whole field is cleared");

        rig.Vcpu.RunGuest(cycles: 1000, instructions: 500, branches: 50);
        Assert.AreEqual(0UL, rig.Pmu.View().Counters[0], "the filtered counter does not count");
        Assert.AreEqual(50UL, rig.Pmu.View().Counters[1], "an allowed event counts");
        Assert.AreEqual(0UL, rig.Pmu.View().FixedCounters[0]);
    }

    [TestMethod]
    public void Amd_event_selects_are_programmed_guest_only()
    {
        var rig = new MediatedRig(SmallAmd, SwitchPlacement.DirtyOnly);
        ulong sel = PmuEventSelect.Counting(PmuEventSelect.Events.Instructions, false) | PmuEventSelect.AmdHostOnly;
        Assert.AreEqual(MsrAccessResult.Ok, rig.Vcpu.GuestWrmsr(MsrF15hPerfCtl.AddressOf(0), sel));
        ulong hw = rig.Pmu.EventSelectHw(0);
        Assert.AreNotEqual(0UL, hw & PmuEventSelect.AmdGuestOnly);
        Assert.AreEqual(0UL, hw & PmuEventSelect.AmdHostOnly);
        rig.Vcpu.RunGuest(cycles: 100, instructions: 40);
        rig.Vcpu.RunHost(cycles: 100, instructions: 1000);
        Assert.IsTrue(rig.Pmu.AnyResident, "dirty-only left the guest's counter in hardware while the host ran");
        // 40 native guest instructions + 2 emulated (the enabling WRMSR itself and the exit that took
        // the vCPU out of KVM_RUN); none of the host's 1000.
        Assert.AreEqual(42UL, rig.Pmu.View().Counters[0]);
    }

    [TestMethod]
    public void Illegal_guest_accesses_are_a_gp_in_the_guest_not_an_exception()
    {
        var rig = new MediatedRig(SmallIntel);
        Assert.AreEqual(MsrAccessResult.GeneralProtection, rig.Vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(0), 1UL << 63), "reserved bit");
        Assert.AreEqual(MsrAccessResult.GeneralProtection, rig.Vcpu.GuestWrmsr(Ia32FixedCtrCtrl.Address, 0x4), "AnyThread");
        Assert.AreEqual(MsrAccessResult.GeneralProtection, rig.Vcpu.GuestWrmsr(Ia32PerfGlobalStatusSet.Address, 1));
        Assert.AreEqual(MsrAccessResult.GeneralProtection, rig.Vcpu.GuestWrmsr(Ia32PerfCapabilities.Address, 0));
        Assert.AreEqual(MsrAccessResult.GeneralProtection, rig.Vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(5), 0), "beyond the guest's counters");
        Assert.AreEqual(MsrAccessResult.Ok, rig.Vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(0), 0x43_00C0));
        Assert.AreEqual(MsrAccessResult.GeneralProtection, rig.Vcpu.GuestRdpmc(9, out _));
        // Passed-through registers: the hardware's own checks give the #GP, with no exit.
        long exits = rig.Vcpu.Exits;
        Assert.AreEqual(MsrAccessResult.GeneralProtection, rig.Vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 1UL << 40), "reserved GLOBAL_CTRL bit");
        Assert.AreEqual(MsrAccessResult.GeneralProtection, rig.Vcpu.GuestWrmsr(Ia32APmc.AddressOf(0), 1UL << 50), "above the counter width");
        Assert.AreEqual(MsrAccessResult.Ok, rig.Vcpu.GuestWrmsr(Ia32Pmc.AddressOf(0), ulong.MaxValue), "the legacy alias sign-extends instead");
        Assert.AreEqual(exits, rig.Vcpu.Exits);
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
