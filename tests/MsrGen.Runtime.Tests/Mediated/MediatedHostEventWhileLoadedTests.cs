using MsrGen.Registers;
using MsrGen.Runtime.Mediated;

namespace MsrGen.Runtime.Tests.Mediated;

/// <summary>
/// Dapeng Mi, "Re: [RFC PATCH 23/41] KVM: x86/pmu: Implement the save/restore of PMU state for Intel CPU", LKML, 2024-04-25: host perf enables an exclude_guest event while the vCPU task is in guest mode, in
/// the run loop, or outside it. With perf's callback into KVM the host event counts only host
/// work and the guest loses nothing; without it, counts are corrupted.
/// </summary>
[TestClass]
public sealed class MediatedHostEventWhileLoadedTests
{
    private const ulong GuestWork = 5_000, HostWork = 7_000;

    /// <summary>The guest counts instructions on every counter (including the one host perf will take).</summary>
    private static (MediatedRig Rig, HostCountingEvent Event, ulong GuestBase) Prepare(PmuCaps host, SwitchPlacement placement, HostEventCallbackMode mode)
    {
        var rig = new MediatedRig(host, placement, mode: mode);
        var ev = rig.Perf.Open("kvm-profiler", PmuEventSelect.Events.Instructions);
        for (int i = 0; i < rig.Guest.GpCounters; i++)
        {
            rig.GuestCountInstructions(i);
        }

        rig.Vcpu.RunGuest(cycles: 10_000, instructions: GuestWork);
        return (rig, ev, rig.Pmu.View().Counters[ev.Counter]);
    }

    [TestMethod]
    [DataRow(SwitchPlacement.RunLoop, HostEnablePoint.GuestMode)]
    [DataRow(SwitchPlacement.RunLoop, HostEnablePoint.RunLoop)]
    [DataRow(SwitchPlacement.RunLoop, HostEnablePoint.Outside)]
    [DataRow(SwitchPlacement.VcpuLoad, HostEnablePoint.GuestMode)]
    [DataRow(SwitchPlacement.VcpuLoad, HostEnablePoint.RunLoop)]
    [DataRow(SwitchPlacement.VcpuLoad, HostEnablePoint.Outside)]
    [DataRow(SwitchPlacement.Exit, HostEnablePoint.RunLoop)]
    [DataRow(SwitchPlacement.DirtyOnly, HostEnablePoint.GuestMode)]
    [DataRow(SwitchPlacement.DirtyOnly, HostEnablePoint.RunLoop)]
    [DataRow(SwitchPlacement.DirtyOnly, HostEnablePoint.Outside)]
    public void With_the_callback_the_host_event_counts_host_work_only_and_the_guest_loses_nothing(SwitchPlacement placement, HostEnablePoint where)
    {
        foreach (var host in new[] { MediatedRig.IntelHost, MediatedRig.AmdHost })
        {
            var (rig, ev, guestBase) = Prepare(host, placement, HostEventCallbackMode.Callback);
            var before = rig.Pmu.View().Counters[ev.Counter];
            long emulatedBefore = rig.Vcpu.EmulatedInstructions;

            rig.Vcpu.EnableHostEvent(ev, where);
            Assert.IsTrue(ev.Active, $"{host.Vendor}/{placement}/{where}: the event runs once perf has the counter");

            rig.Vcpu.RunHost(cycles: 1_000, instructions: HostWork);
            rig.Vcpu.RunGuest(cycles: 10_000, instructions: GuestWork);
            rig.Vcpu.RunHost(cycles: 1_000, instructions: HostWork);

            Assert.AreEqual(2 * HostWork, rig.Perf.Read(ev), $"{host.Vendor}/{placement}/{where}: host event = host work only");
            var after = rig.Pmu.View().Counters[ev.Counter];
            // Guest counter = its count before + the guest's work + the instructions KVM emulated meanwhile.
            ulong emulated = (ulong)(rig.Vcpu.EmulatedInstructions - emulatedBefore);
            Assert.AreEqual(before + GuestWork + emulated, after, $"{host.Vendor}/{placement}/{where}: guest counter");
            Assert.AreEqual(guestBase, before);
        }
    }

    [TestMethod]
    public void In_7_0_as_merged_the_event_waits_for_put_instead_of_a_callback()
    {
        var (rig, ev, _) = Prepare(MediatedRig.IntelHost, SwitchPlacement.VcpuLoad, HostEventCallbackMode.DeferUntilPut);
        rig.Vcpu.EnableHostEvent(ev, HostEnablePoint.RunLoop);
        Assert.IsFalse(ev.Active, "guest context is loaded: perf does not schedule it in");
        Assert.AreEqual(0, rig.Perf.CallbacksIntoKvm);
        rig.Vcpu.RunHost(cycles: 100, instructions: HostWork);
        Assert.IsTrue(ev.Active, "scheduled in at put");
        Assert.AreEqual(HostWork, rig.Perf.Read(ev));
    }

    [TestMethod]
    public void Without_the_callback_a_host_event_programmed_over_loaded_guest_state_corrupts_both_counts()
    {
        var good = Prepare(MediatedRig.IntelHost, SwitchPlacement.VcpuLoad, HostEventCallbackMode.Callback);
        var bad = Prepare(MediatedRig.IntelHost, SwitchPlacement.VcpuLoad, HostEventCallbackMode.None);
        foreach (var (rig, ev, _) in new[] { good, bad })
        {
            rig.Vcpu.EnableHostEvent(ev, HostEnablePoint.RunLoop);
            rig.Vcpu.RunGuest(cycles: 10_000, instructions: GuestWork);
            rig.Vcpu.RunHost(cycles: 1_000, instructions: HostWork);
        }

        ulong goodGuest = good.Rig.Pmu.View().Counters[good.Event.Counter];
        ulong badGuest = bad.Rig.Pmu.View().Counters[bad.Event.Counter];
        Assert.AreEqual(HostWork, good.Rig.Perf.Read(good.Event));
        Assert.AreNotEqual(HostWork, bad.Rig.Perf.Read(bad.Event), "the host event lost or gained counts");
        Assert.AreNotEqual(goodGuest, badGuest, "the guest's counter was overwritten by host perf");
        Assert.IsTrue(badGuest < goodGuest, $"guest count {badGuest} should have been {goodGuest}");
        Assert.AreEqual(0, bad.Rig.Perf.CallbacksIntoKvm);
        Assert.IsTrue(good.Rig.Perf.CallbacksIntoKvm > 0);
    }
}
