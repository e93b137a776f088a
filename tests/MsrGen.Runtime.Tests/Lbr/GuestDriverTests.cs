using MsrGen.Registers;
using MsrGen.Runtime.Lbr;

namespace MsrGen.Runtime.Tests.Lbr;

[TestClass]
public sealed class GuestDriverTests
{
    [TestMethod]
    public void UserCallstackModeWritesPvActiveOnlyWhenTheFeatureIsOffered()
    {
        var offered = LbrWorld.Create(LbrStrategyKind.Pv, LbrWorld.SkylakeServer, pvFeature: true);
        Assert.IsTrue(offered.Guest.UsesPvControl);
        offered.Guest.EnableUserCallstack();
        Assert.IsTrue(MsrKvmPvLbrCtrl.FromRawUnchecked(offered.Vcpu.GuestRdmsr(MsrKvmPvLbrCtrl.Address).Value).Active);
        offered.Guest.Disable();
        Assert.IsFalse(MsrKvmPvLbrCtrl.FromRawUnchecked(offered.Vcpu.GuestRdmsr(MsrKvmPvLbrCtrl.Address).Value).Active);

        var withheld = LbrWorld.Create(LbrStrategyKind.Pv, LbrWorld.SkylakeServer, pvFeature: false);
        Assert.IsFalse(withheld.Guest.UsesPvControl);
        withheld.Guest.EnableUserCallstack();
        Assert.AreEqual(0, withheld.Metrics.PvCtrlExits);
        Assert.AreEqual(0, withheld.Metrics.GeneralProtectionFaults, "the driver never touches the MSR without the feature");
    }

    [TestMethod]
    public void SamplingModeNeverWritesPvActive()
    {
        var world = LbrWorld.Create(LbrStrategyKind.Pv, LbrWorld.SkylakeServer, pvFeature: true);
        world.Guest.EnableSampling();
        world.GuestBranches(10);
        world.Guest.BeginPmi();
        world.Guest.Read();
        Assert.AreEqual(0, world.Metrics.PvCtrlExits);
        Assert.IsFalse(MsrKvmPvLbrCtrl.FromRawUnchecked(world.Vcpu.GuestRdmsr(MsrKvmPvLbrCtrl.Address).Value).Active);
    }

    [TestMethod]
    public void SchedTaskPathClearsDebugctlLbrBeforeReadingTheStack()
    {
        var world = LbrWorld.Create(LbrStrategyKind.Always, LbrWorld.SkylakeServer);
        world.Guest.EnableUserCallstack();
        world.GuestBranches(30);
        Assert.IsTrue(world.Vcpu.GuestLbrBit);
        long readsBefore = world.Metrics.GuestReads;
        world.Guest.BeginContextSwitch();
        Assert.IsFalse(world.Vcpu.GuestLbrBit, "cleared before the read");
        Assert.AreEqual(readsBefore, world.Metrics.GuestReads, "not read yet");
        world.Guest.FinishContextSwitch();
        Assert.AreEqual(readsBefore + 1, world.Metrics.GuestReads);
        Assert.IsTrue(world.Vcpu.GuestLbrBit, "set again for the next task");
        Assert.AreEqual(2, world.Guest.CurrentTask);
    }

    [TestMethod]
    public void PmiHandlerClearsDebugctlLbrBeforeReadingTheStack()
    {
        var world = LbrWorld.Create(LbrStrategyKind.Always, LbrWorld.SkylakeServer);
        world.Guest.EnableSampling();
        world.GuestBranches(30);
        world.Guest.BeginPmi();
        Assert.IsFalse(world.Vcpu.GuestLbrBit);
        var verdict = world.Guest.Read();
        Assert.IsTrue(world.Vcpu.GuestLbrBit);
        Assert.AreEqual(32, verdict.Entries);
        Assert.AreEqual(0, verdict.PollutedEntries);
        Assert.AreEqual(0, verdict.LostEntries);
    }

    [TestMethod]
    public void EachTaskFindsItsOwnCallStackAfterGuestContextSwitches()
    {
        var world = LbrWorld.Create(LbrStrategyKind.Always, LbrWorld.SkylakeServer);
        world.Guest.EnableUserCallstack();
        for (int i = 0; i < 12; i++)
        {
            world.GuestBranches(17);
            world.Guest.ContextSwitch();
        }

        Assert.AreEqual(12, world.Metrics.GuestReads);
        Assert.AreEqual(0, world.Metrics.LostEntries);
        Assert.AreEqual(0, world.Metrics.PollutedEntries);
    }

    [TestMethod]
    public void TheJudgeCountsEveryHostEntryTheGuestReads()
    {
        // A host thread overwrote the whole stack and `none` put nothing back.
        var world = LbrWorld.Create(LbrStrategyKind.None, LbrWorld.SkylakeServer);
        world.Guest.EnableUserCallstack();
        world.GuestBranches(20);
        world.HostThreadBranches(1000);
        var verdict = world.Guest.Read();
        Assert.IsTrue(verdict.Polluted);
        Assert.AreEqual(32, verdict.PollutedEntries);
        Assert.AreEqual(1, world.Metrics.PollutedReads);
    }

    [TestMethod]
    public void TheJudgeCountsGuestBranchesThatAreGoneAsLost()
    {
        // lazy restores the saved stack on the first access after a switch, on top of the
        // branches the guest took since sched-in: those are lost, not polluted.
        var world = LbrWorld.Create(LbrStrategyKind.Lazy, LbrWorld.SkylakeServer);
        world.Guest.EnableSampling();
        world.GuestBranches(40);
        world.Guest.Read();
        world.SchedOut();
        world.SchedIn();
        world.GuestBranches(5);
        var verdict = world.Guest.Read();
        Assert.AreEqual(0, verdict.PollutedEntries);
        Assert.AreEqual(32, verdict.LostEntries, "five new entries missing shift all 32 positions");
    }
}
