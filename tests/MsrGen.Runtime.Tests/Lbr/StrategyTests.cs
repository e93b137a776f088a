using MsrGen.Registers;
using MsrGen.Runtime.Lbr;

namespace MsrGen.Runtime.Tests.Lbr;

[TestClass]
public sealed class StrategyTests
{
    private static readonly PmuCaps Skylake = LbrWorld.SkylakeServer;

    private static LbrWorld CallstackGuest(LbrStrategyKind strategy, long? window = null)
    {
        var world = LbrWorld.Create(strategy, Skylake, pvFeature: true, window);
        world.Guest.EnableUserCallstack();
        world.GuestBranches(20);
        world.Guest.ContextSwitch();
        world.Metrics.Reset();
        return world;
    }

    private static void Switch(LbrWorld world, int times)
    {
        for (int i = 0; i < times; i++)
        {
            world.SchedOut();
            world.SchedIn();
        }
    }

    [TestMethod]
    public void AlwaysMovesTheFull98MsrStateOnEverySwitch()
    {
        var world = CallstackGuest(LbrStrategyKind.Always);
        Switch(world, 5);
        Assert.AreEqual(5 * 98, world.Metrics.HostLbrReads);
        Assert.AreEqual(5 * 98, world.Metrics.HostLbrWrites);
        // 5 switches × 98 MSRs × (RDMSR 42 + WRMSR 208), the cost-model defaults: 122,500 cycles.
        Assert.AreEqual(122_500L, world.Metrics.ModeledCycles(new MsrGen.Runtime.Cost.CostTable()));
    }

    [TestMethod]
    public void NoneNeverTouchesTheStack()
    {
        var world = CallstackGuest(LbrStrategyKind.None);
        Switch(world, 5);
        Assert.AreEqual(0, world.Metrics.HostLbrMsrOps);
        Assert.AreEqual(0, world.Metrics.ExitCount);
    }

    [TestMethod]
    public void PvSavesOnlyWhileActive()
    {
        var world = CallstackGuest(LbrStrategyKind.Pv);
        Switch(world, 3);
        Assert.AreEqual(3 * 196, world.Metrics.HostLbrMsrOps);
        world.Guest.Disable();
        world.Metrics.Reset();
        Switch(world, 3);
        Assert.AreEqual(0, world.Metrics.HostLbrMsrOps);
        Assert.IsFalse(world.Vcpu.SavedStackValid);
    }

    [TestMethod]
    public void LazyRestoresOnFirstAccessAndSavesOnlyAfterPassThrough()
    {
        var world = CallstackGuest(LbrStrategyKind.Lazy);
        world.SchedOut();
        Assert.AreEqual(98, world.Metrics.HostLbrReads, "passed through before the switch: saved");
        world.SchedIn();
        Assert.AreEqual(0, world.Metrics.HostLbrWrites, "nothing restored at sched-in");
        Switch(world, 4);
        Assert.AreEqual(98, world.Metrics.HostLbrReads, "no access since: no further saves");

        world.Guest.Read();
        Assert.AreEqual(98, world.Metrics.HostLbrWrites, "restored on the first access");
        Assert.AreEqual(1, world.Metrics.InterceptedLbrAccesses, "only the first access exits");
        Assert.AreEqual(0, world.Metrics.PollutedEntries);
    }

    [TestMethod]
    public void TimerHoldsTheStackUntilTheWindowPassesWithLbrClear()
    {
        var world = CallstackGuest(LbrStrategyKind.Timer, window: 1_000_000);
        var timer = (TimerLbrStrategy)world.Vcpu.Strategy;
        Assert.IsTrue(timer.Holding);
        world.Guest.Disable();
        Switch(world, 1);
        Assert.AreEqual(196, world.Metrics.HostLbrMsrOps, "still held inside the window");
        world.Idle(999_999);
        Assert.AreEqual(0, world.Metrics.TimerFires);
        world.Idle(1);
        Assert.AreEqual(1, world.Metrics.TimerFires);
        Assert.AreEqual(1, world.Metrics.TimerExits, "the vCPU was loaded: the timer forced an exit");
        Assert.IsFalse(timer.Holding);
        Switch(world, 3);
        Assert.AreEqual(196, world.Metrics.HostLbrMsrOps, "released: no more save/restore");
    }

    [TestMethod]
    public void TimerExpiryWhileScheduledOutIsNoExit()
    {
        var world = CallstackGuest(LbrStrategyKind.Timer, window: 1_000);
        world.Guest.Disable();
        world.SchedOut();
        world.Idle(5_000);
        Assert.AreEqual(1, world.Metrics.TimerFires);
        Assert.AreEqual(0, world.Metrics.TimerExits);
    }

    [TestMethod]
    public void TimerQuickTogglesCostNothing()
    {
        var world = CallstackGuest(LbrStrategyKind.Timer, window: 1_000_000);
        for (int i = 0; i < 50; i++)
        {
            world.Guest.BeginPmi();
            world.Guest.Read();
            world.GuestBranches(10);
        }

        Assert.AreEqual(0, world.Metrics.TimerFires);
        Assert.IsTrue(((TimerLbrStrategy)world.Vcpu.Strategy).Holding);
    }

    [TestMethod]
    public void KvmCreatesTheEventOnDebugctlLbrAndPassesTheStackThrough()
    {
        var world = LbrWorld.Create(LbrStrategyKind.Kvm, Skylake);
        var kvm = (KvmLbrStrategy)world.Vcpu.Strategy;
        Assert.IsFalse(kvm.EventExists);
        Assert.IsFalse(world.Vcpu.GuestWrmsr(Ia32Debugctl.Address, Ia32Debugctl.Zero.WithLbr(true).Value).Faulted);
        Assert.IsTrue(kvm.EventExists);
        Assert.AreEqual(1, world.Metrics.PerfEventCreates);
        Assert.AreEqual(97, world.Metrics.HostLbrWrites, "a new LBR event resets the stack");
        Assert.IsFalse(world.Vcpu.GuestRdmsr(MsrLbrTos.Address).Exited);
    }

    [TestMethod]
    public void KvmReleasesTheEventOnTheNextSchedInWhenDebugctlLbrIsClear()
    {
        var world = CallstackGuest(LbrStrategyKind.Kvm);
        var kvm = (KvmLbrStrategy)world.Vcpu.Strategy;
        Switch(world, 2);
        Assert.IsTrue(kvm.EventExists);
        world.Guest.Disable();
        Assert.IsTrue(kvm.EventExists, "clearing DEBUGCTL.LBR alone releases nothing");
        Switch(world, 1);
        Assert.IsFalse(kvm.EventExists);
        Assert.AreEqual(1, world.Metrics.PerfEventReleases);
        long ops = world.Metrics.HostLbrMsrOps;
        Switch(world, 3);
        Assert.AreEqual(ops, world.Metrics.HostLbrMsrOps);
        Assert.IsTrue(world.Vcpu.GuestRdmsr(MsrLbrTos.Address).Exited, "intercepted again after release");
    }

    [TestMethod]
    public void KvmReadsZeroAndDropsWritesWhileTheHostOwnsTheLbr()
    {
        var world = CallstackGuest(LbrStrategyKind.Kvm);
        world.GuestBranches(10);
        world.Vcpu.SetHostOwnsLbr(true);
        var tos = world.Vcpu.GuestRdmsr(MsrLbrTos.Address);
        Assert.IsTrue(tos.Exited);
        Assert.AreEqual(0UL, tos.Value);
        Assert.AreEqual(0UL, world.Vcpu.GuestRdmsr(MsrLbrNhmFrom.AddressOf(world.Hardware.Tos)).Value);
        int hardwareTos = world.Hardware.Tos;
        Assert.IsFalse(world.Vcpu.GuestWrmsr(MsrLbrTos.Address, 5).Faulted);
        Assert.AreEqual(hardwareTos, world.Hardware.Tos, "write dropped");
        world.Vcpu.SetHostOwnsLbr(false);
        Assert.AreEqual((ulong)hardwareTos, world.Vcpu.GuestRdmsr(MsrLbrTos.Address).Value);
    }

    [TestMethod]
    public void KvmKeepsTheSavedStackWhenTheHostTakesAndReturnsTheLbrWhileTheVcpuIsScheduledOut()
    {
        // Found by LbrPropertyTests (CsCheck case 2ejR3qVrR_r2, shrunk by hand): with the vCPU thread off
        // the CPU its LBR event is not scheduled, so a host LBR user coming and going moves nothing
        // of the guest's (perf keeps the stack in the task context saved at sched-out).
        var world = CallstackGuest(LbrStrategyKind.Kvm);
        world.SchedOut();                       // save: 98 RDMSRs (32 FROM + 32 TO + 32 INFO, TOS, SELECT)
        world.HostThreadBranches(2_123, 3);     // the hardware now holds host branches
        world.Vcpu.SetHostOwnsLbr(true);        // nothing moves: the guest event is not on the CPU
        world.Vcpu.SetHostOwnsLbr(false);
        world.SchedIn();                        // restore: 98 WRMSRs
        Assert.AreEqual(98, world.Metrics.HostLbrReads);
        Assert.AreEqual(98, world.Metrics.HostLbrWrites);
        var verdict = world.Guest.Read();
        Assert.IsTrue(verdict.Entries > 0);
        Assert.AreEqual(0, verdict.PollutedEntries, "the guest reads its own branches, none of the host thread's");
    }

    [TestMethod]
    public void KvmResetsTheStackWhenAnEventThatNeverRanIsFirstScheduledAtSchedIn()
    {
        // Found by LbrPropertyTests (CsCheck cases cSyV-42_Owp2 and dZaADXGAlXP1, shrunk by hand):
        // the guest creates its LBR event while a host LBR user owns the LBR, so the event never
        // runs and sched-out saves nothing; the host lets go while the vCPU is off the CPU. At
        // sched-in perf finds no saved stack and resets the LBR (__intel_pmu_lbr_restore() of
        // arch/x86/events/intel/lbr.c), so the host thread's branches never reach the guest.
        var world = LbrWorld.Create(LbrStrategyKind.Kvm, Skylake);
        world.Vcpu.SetHostOwnsLbr(true);
        world.Guest.EnableSampling();           // the event is created but not scheduled: no reset
        world.SchedOut();                       // nothing saved
        world.HostThreadBranches(303, 1);
        world.Vcpu.SetHostOwnsLbr(false);       // the vCPU is off the CPU: nothing moves
        world.Metrics.Reset();
        world.SchedIn();                        // reset: 32 FROM + 32 TO + 32 INFO + TOS = 97 WRMSRs
        Assert.AreEqual(0, world.Metrics.HostLbrReads);
        Assert.AreEqual(97, world.Metrics.HostLbrWrites);
        Assert.AreEqual(0, world.Guest.Read().PollutedEntries, "none of the host thread's branches");
    }

    [TestMethod]
    public void KvmEmulatesLegacyFreezeOnPmiOnlyForPmuVersions2And3()
    {
        var broadwell = LbrWorld.Create(LbrStrategyKind.Kvm, LbrWorld.Broadwell);
        broadwell.Guest.EnableSampling();
        Assert.IsTrue(broadwell.Vcpu.GuestDebugctl.FreezeLbrsOnPmi, "perf sets FREEZE_LBRS_ON_PMI before PMU v4");
        broadwell.Vcpu.DeliverPmi();
        Assert.IsFalse(broadwell.Vcpu.GuestLbrBit);
        Assert.IsFalse(broadwell.Hardware.Recording);

        var skylake = LbrWorld.Create(LbrStrategyKind.Kvm, Skylake);
        skylake.Guest.EnableSampling();
        skylake.Vcpu.GuestWrmsr(Ia32Debugctl.Address, skylake.Vcpu.GuestDebugctl.WithFreezeLbrsOnPmi(true).Value);
        skylake.Vcpu.DeliverPmi();
        Assert.IsTrue(skylake.Vcpu.GuestLbrBit, "v4 freezes through GLOBAL_STATUS, not by clearing DEBUGCTL.LBR");

        var always = LbrWorld.Create(LbrStrategyKind.Always, LbrWorld.Broadwell);
        always.Guest.EnableSampling();
        always.Vcpu.DeliverPmi();
        Assert.IsTrue(always.Vcpu.GuestLbrBit, "only the kvm strategy emulates the legacy freeze");
    }
}
