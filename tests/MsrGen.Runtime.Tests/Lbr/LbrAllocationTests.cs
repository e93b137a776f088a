using System;
using MsrGen.Runtime.Lbr;

namespace MsrGen.Runtime.Tests.Lbr;

[TestClass]
public sealed class LbrAllocationTests
{
    [TestMethod]
    [DataRow(LbrStrategyKind.Always)]
    [DataRow(LbrStrategyKind.Kvm)]
    [DataRow(LbrStrategyKind.Lazy)]
    [DataRow(LbrStrategyKind.Pv)]
    [DataRow(LbrStrategyKind.Timer)]
    public void SwitchesSavesRestoresAndGuestReadsAllocateNothing(LbrStrategyKind strategy)
    {
        var world = LbrWorld.Create(strategy, LbrWorld.SkylakeServer);
        world.Guest.EnableUserCallstack();
        world.GuestBranches(100);
        Cycle(world);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            Cycle(world);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.AreEqual(0, allocated, $"{strategy}: {allocated} bytes over 200 switches");
        Assert.IsTrue(world.Metrics.GuestReads > 200);
    }

    private static void Cycle(LbrWorld world)
    {
        world.SchedOut();
        world.SchedIn();
        world.GuestBranches(16);
        world.Guest.ContextSwitch();
        world.Guest.BeginPmi();
        world.Guest.Read();
    }
}
