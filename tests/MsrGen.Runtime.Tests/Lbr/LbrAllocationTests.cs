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
        // The least of several passes (as the generator's allocation tests do): only an allocation
        // on every switch shows in every pass.
        long allocated = long.MaxValue;
        for (int pass = 0; pass < 5; pass++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 40; i++)
            {
                Cycle(world);
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.AreEqual(0, allocated, $"{strategy}: {allocated} bytes over 40 switches (least of 5 passes)");
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
